import * as nodePath from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import type { Span } from '../diagnostics/span.js';
import { FileFailure } from '../fs/files.js';
import { M } from './messages.js';
import { bytesToText, defaultReadFile, type SourceLoader } from './source.js';

/** 'auto' mode: preprocess when some line starts with a cpp directive (#include, #define, #if...). */
export function wantsPreprocessor(text: string): boolean {
  return /^[ \t]*#[ \t]*(include|define|undef|if|ifdef|ifndef|elif|else|endif|error|warning|pragma)\b/m.test(text);
}

export interface PreprocessOptions {
  includeDirs?: string[];
  defines?: string[] | Record<string, string | number | boolean>;
  cpp?: string;
}

function defineArgs(defines: PreprocessOptions['defines']): string[] {
  if (!defines) return [];
  if (Array.isArray(defines)) return defines.map((d) => `-D${d}`);
  return Object.entries(defines).map(([k, v]) => (v === true ? `-D${k}` : v === false ? `-U${k}` : `-D${k}=${v}`));
}

/**
 * Runs gcc's cpp the way Linux's scripts/Makefile.lib does for .dts files:
 * `cpp -nostdinc -undef -D__DTS__ -x assembler-with-cpp -I<dirs>`. The output keeps cpp's `# line "file"`
 * markers, which the lexer follows to give spans in the original files.
 * cpp reads the file system itself; with a custom readFile the entry text is piped in and the entry's directory
 * is searched first for "quoted" includes.
 */
export function preprocessDts(entry: string, loader: SourceLoader, options: PreprocessOptions, diags: Diagnostic[]): string | undefined {
  const cpp = options.cpp ?? 'cpp';
  const args = ['-nostdinc', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp'];
  for (const d of options.includeDirs ?? []) args.push('-I', d);
  args.push(...defineArgs(options.defines));
  const custom = loader.readFile !== defaultReadFile;
  let input: string | undefined;
  if (custom) {
    args.push('-iquote', nodePath.dirname(entry), '-');
    input = Buffer.from(loader.load(entry) ?? '', 'latin1').toString('latin1');
  } else args.push(entry);
  // Loaded here, not at the top: most descriptions have no #include or #define, and node:child_process
  // takes a few milliseconds of every command's start to load.
  const r = process.getBuiltinModule('node:child_process').spawnSync(cpp, args, {
    input: input === undefined ? undefined : Buffer.from(input, 'latin1'),
    maxBuffer: 1 << 30,
    timeout: 60000,
  });
  if (r.error) {
    diags.push(diagnostic(M.preprocessor, `could not run the C preprocessor '${cpp}': ${r.error.message}`, undefined, { help: 'install gcc\'s cpp (Debian: apt-get install cpp)' }));
    return undefined;
  }
  const stderr = r.stderr ? r.stderr.toString('utf8') : '';
  let reported = false;
  for (const line of stderr.split('\n')) {
    // cpp gives a column for most errors, not for some ("<stdin>:36: error: unterminated #if").
    const m = /^(.*?):(\d+)(?::(\d+))?: (fatal error|error|warning): (.*)$/.exec(line);
    if (!m) continue;
    const file = m[1] === '<stdin>' ? entry : m[1]!;
    const ln = Number(m[2]);
    const col = m[3] === undefined ? 1 : Number(m[3]);
    if (!loader.sources.has(file)) {
      const data = loader.readFile(file);
      if (data !== undefined && !(data instanceof FileFailure)) loader.sources.set(file, bytesToText(data));
    }
    // cpp can name a line past the last one, or a column past the line's end (an #include's errors come
    // with the next line's number): the span stays inside the text, at the end of the line or file.
    const text = loader.sources.get(file);
    const textLines = text?.split('\n');
    const atLine = textLines ? Math.max(1, Math.min(ln, textLines.length)) : ln;
    const atColumn = textLines ? Math.max(1, Math.min(ln > textLines.length ? textLines[atLine - 1]!.length + 1 : col, textLines[atLine - 1]!.length + 1)) : col;
    const off = loader.offsetOf(file, atLine, atColumn);
    const endOff = off < 0 ? off : Math.min(off + 1, text?.length ?? off + 1);
    const span: Span = { file, start: { line: atLine, column: atColumn, offset: off }, end: { line: atLine, column: atColumn + (endOff > off ? 1 : 0), offset: endOff } };
    const d = diagnostic(M.preprocessor, m[5]!, span);
    if (m[4] === 'warning') d.severity = 'warning';
    else reported = true;
    diags.push(d);
  }
  if (r.status !== 0) {
    if (!reported) diags.push(diagnostic(M.preprocessor, `the C preprocessor failed (exit status ${r.status}): ${stderr.trim().split('\n')[0] ?? ''}`));
    return undefined;
  }
  let out = r.stdout.toString('latin1');
  if (custom) out = out.replace(/^(#(?:line)?[ \t]+[0-9]+[ \t]+)"<stdin>"/gm, (_m, p: string) => `${p}${JSON.stringify(entry)}`);
  return out;
}
