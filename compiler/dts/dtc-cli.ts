import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { FileFailure, tryReadBytes, tryWriteFile } from '../fs/files.js';
import { defaultReadFile, readAnyFile } from './source.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { runChecks } from './checks.js';
import { decodeDtb, encodeDtb, printDts, type EncodeDtbOptions } from './dtb.js';
import { parseDts } from './index.js';
import { generateSymbols } from './symbols.js';
import type { DtTree } from './tree.js';

export interface DtcIo {
  stdout: (s: string | Uint8Array) => void;
  stderr: (s: string) => void;
  /** Reads stdin when the input is '-' (optional). */
  stdin?: () => Uint8Array;
}

const USAGE = `Usage: dtc [options] <input file>

Options:
  -I, --in-format <fmt>   Input format: dts or dtb (default: dtb for a file that starts
                          with the blob magic or is named .dtb/.dtbo, else dts)
  -O, --out-format <fmt>  Output format: dtb or dts (default: by the -o file's name, .dts
                          or .dtb/.dtbo, else dtb from dts input and dts from dtb)
  -o, --out <file>        Output file (default stdout)
  -i, --include <dir>     Add a search path for /include/ and /incbin/
  -@, --symbols           Enable generation of symbols (__symbols__)
  -b, --boot-cpu <n>      boot_cpuid_phys in the blob header
  -R, --reserve <n>       Extra empty memory reserve entries
  -p, --pad <n>           Pad the blob with n bytes
  -S, --space <n>         Make the blob at least n bytes
  -a, --align <n>         Align the blob size to n bytes
  -W, --warning <[no-]check>  Enable/disable a check as a warning
  -E, --error <[no-]check>    Enable/disable a check as an error
  -f, --force             Write output even with errors
  -q, --quiet             Quiet: -q no warnings, -qq no errors, -qqq no "output forced" note
      --cpp               Run the C preprocessor first (hvcc extension)
  -d, --out-dependency <file>  Write a make rule: the output depends on every file read
  -V, --out-version <n>   Blob version: only 17
  -H, --phandle <style>   phandle properties: only epapr (the "phandle" property alone)
  -h, --help              This help
  -v, --version           Print the version
`;

function location(d: Diagnostic): string {
  const s = d.span;
  if (!s || !s.file) return '';
  return `${s.file}:${s.start.line}.${s.start.column}-${s.end.line === s.start.line ? s.end.column : `${s.end.line}.${s.end.column}`}`;
}

/** Renders a diagnostic the way dtc prints it. */
export function formatDtcDiagnostic(d: Diagnostic): string {
  const check = d.notes.find((n) => n.startsWith('dtc check: '))?.slice(11);
  const loc = location(d);
  if (check) return `${loc ? loc + ': ' : ''}${d.severity === 'error' ? 'ERROR' : 'Warning'} (${check}): ${d.message}\n`;
  const kind = d.severity === 'error' ? 'Error' : d.severity === 'warning' ? 'Warning' : 'Note';
  return `${kind}: ${loc ? loc + ' ' : ''}${d.message}\n`;
}

const num = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined;
  const v = Number(s.startsWith('0x') || s.startsWith('0X') ? parseInt(s, 16) : s.startsWith('0') && s.length > 1 ? parseInt(s, 8) : parseInt(s, 10));
  return Number.isFinite(v) ? v : undefined;
};

/** dtc's guess_type_by_name: a format by the file name's extension. */
function typeByName(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return undefined;
  const ext = name.slice(dot).toLowerCase();
  return ext === '.dts' ? 'dts' : ext === '.yaml' ? 'yaml' : ext === '.dtb' || ext === '.dtbo' ? 'dtb' : undefined;
}

/** dtc's guess_input_format: a regular file starting with the FDT magic number is a blob; else by name. */
function guessInputFormat(name: string): string {
  try {
    if (statSync(name).isFile()) {
      const fd = openSync(name, 'r');
      try {
        const magic = Buffer.alloc(4);
        if (readSync(fd, magic, 0, 4, 0) === 4 && magic.readUInt32BE(0) === 0xd00dfeed) return 'dtb';
      } finally {
        closeSync(fd);
      }
    }
  } catch {
    // unreadable: the read that follows reports it
  }
  return typeByName(name) ?? 'dts';
}

/**
 * dtc's command line (the subset hvcc implements): `-I dts|dtb -O dts|dtb -o -i -@ -b -R -p -S -a -W -E -f -q`.
 * Returns the exit status (0 ok, 1 usage or parse errors, 2 check errors, as dtc).
 */
export async function runDtc(argv: string[], io: DtcIo): Promise<number> {
  let inFmt: string | undefined;
  let outFmt: string | undefined;
  let out: string | undefined;
  const includes: string[] = [];
  let symbols = false;
  let force = false;
  let quiet = 0;
  let cpp = false;
  let depFile: string | undefined;
  const flags: { kind: 'W' | 'E'; arg: string }[] = [];
  const enc: EncodeDtbOptions = {};
  let input: string | undefined;
  const needs = new Set(['-I', '-O', '-o', '-i', '-b', '-R', '-p', '-S', '-a', '-W', '-E', '-V', '-d', '-H']);
  const longs: Record<string, string> = {
    '--in-format': '-I', '--out-format': '-O', '--out': '-o', '--include': '-i', '--symbols': '-@', '--boot-cpu': '-b',
    '--reserve': '-R', '--pad': '-p', '--space': '-S', '--align': '-a', '--warning': '-W', '--error': '-E',
    '--force': '-f', '--quiet': '-q', '--help': '-h', '--version': '-v', '--out-version': '-V', '--phandle': '-H', '--out-dependency': '-d',
  };
  const args = [...argv];
  while (args.length) {
    let a = args.shift()!;
    let val: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) {
        val = a.slice(eq + 1);
        a = a.slice(0, eq);
      }
      if (a === '--cpp') {
        cpp = true;
        continue;
      }
      const short = longs[a];
      if (!short) {
        io.stderr(`dtc: unknown option '${a}'\n${USAGE}`);
        return 1;
      }
      a = short;
    } else if (/^-q+$/.test(a)) {
      quiet += a.length - 1;
      continue;
    } else if (a.length > 2 && a.startsWith('-') && needs.has(a.slice(0, 2))) {
      val = a.slice(2);
      a = a.slice(0, 2);
    }
    if (!a.startsWith('-') || a === '-') {
      if (input !== undefined) {
        io.stderr(`dtc: only one input file may be given\n${USAGE}`);
        return 1;
      }
      input = a;
      continue;
    }
    if (needs.has(a) && val === undefined) {
      val = args.shift();
      if (val === undefined) {
        io.stderr(`dtc: option '${a}' needs an argument\n${USAGE}`);
        return 1;
      }
    }
    switch (a) {
      case '-I': inFmt = val!; break;
      case '-O': outFmt = val!; break;
      case '-o': out = val!; break;
      case '-i': includes.push(val!); break;
      case '-@': symbols = true; break;
      case '-b': enc.bootCpuidPhys = num(val); break;
      case '-R': enc.reserve = num(val); break;
      case '-p': enc.pad = num(val); break;
      case '-S': enc.minSize = num(val); break;
      case '-a': {
        const v = num(val) ?? 0;
        if (v <= 0 || (v & (v - 1)) !== 0) {
          io.stderr('dtc: Invalid argument "' + val + '" to -a option\n');
          return 1;
        }
        enc.align = v;
        break;
      }
      case '-W': flags.push({ kind: 'W', arg: val! }); break;
      case '-E': flags.push({ kind: 'E', arg: val! }); break;
      case '-f': force = true; break;
      case '-V': if (val !== '17') { io.stderr(`dtc: Unknown version ${val}\n`); return 1; } break;
      case '-H': if (val !== 'epapr') { io.stderr(`dtc: only -H epapr is supported\n`); return 1; } break;
      case '-d': depFile = val!; break;
      case '-h': io.stdout(USAGE); return 0;
      case '-v': io.stdout('Version: DTC 1.6.1 (hvcc)\n'); return 0;
      default:
        io.stderr(`dtc: unknown option '${a}'\n${USAGE}`);
        return 1;
    }
  }
  for (const f of flags) {
    const { isCheckName } = await import('./checks.js');
    if (!isCheckName(f.arg)) {
      io.stderr(`FATAL ERROR: Unrecognized check name "${f.arg.replace(/^no[-_]/, '')}"\n`);
      return 1;
    }
  }
  if (input === undefined) input = '-';
  // As dtc guesses: the input by its magic number, then its name; the output by its name, else the other form.
  inFmt ??= input === '-' ? 'dts' : guessInputFormat(input);
  outFmt ??= (out !== undefined ? typeByName(out) : undefined) ?? (inFmt === 'dts' ? 'dtb' : 'dts');
  if (inFmt !== 'dts' && inFmt !== 'dtb') {
    io.stderr(`dtc: Unknown input format "${inFmt}"\n`);
    return 1;
  }
  if (outFmt !== 'dts' && outFmt !== 'dtb') {
    io.stderr(`dtc: Unknown output format "${outFmt}"\n`);
    return 1;
  }
  const show = (ds: Diagnostic[]) => {
    for (const d of ds) {
      if (d.severity === 'note' && quiet >= 1) continue;
      if (d.severity === 'warning' && quiet >= 1) continue;
      if (d.severity === 'error' && quiet >= 2) continue;
      io.stderr(formatDtcDiagnostic(d));
    }
  };
  const stdinBytes = () => (io.stdin ? io.stdin() : new Uint8Array(readFileSync(0)));
  let tree: DtTree | undefined;
  let diags: Diagnostic[];
  let opened: string[] = [];
  if (inFmt === 'dts') {
    // The input itself may be any file, as dtc reads it (a pipe: `hvcc dtc <(cpp ...)`); what it includes is
    // read as a description's includes are.
    const readFile = (p: string) => (p === '-' || p === '<stdin>' ? stdinBytes() : p === input ? readAnyFile(p) : defaultReadFile(p));
    const r = parseDts(input, { includeDirs: includes, readFile, preprocess: cpp, symbols, checkFlags: flags, allChecks: false, prerequisiteNotes: 'dtc' });
    tree = r.tree;
    diags = r.diagnostics;
    const parseFailed = !tree || diags.some((d) => d.severity === 'error' && !d.notes.some((n) => n.startsWith('dtc check: ')));
    if (parseFailed) {
      show(diags);
      io.stderr('FATAL ERROR: Unable to parse input tree\n');
      return 1;
    }
    opened = (r.opened ?? []).map((f) => (f === '-' ? '<stdin>' : f));
  } else {
    const bytes = input === '-' ? stdinBytes() : tryReadBytes(input, { special: true });
    if (bytes instanceof FileFailure) {
      io.stderr(`FATAL ERROR: Couldn't open "${input}": ${bytes.strerror}\n`);
      return 1;
    }
    const r = decodeDtb(bytes, input);
    if (!r.tree) {
      show(r.diagnostics);
      io.stderr('FATAL ERROR: Unable to read input blob\n');
      return 1;
    }
    tree = r.tree;
    opened = [input === '-' ? '<stdin>' : input];
    diags = [];
    const phandles = runChecks(tree, diags, { flags, prerequisiteNotes: 'dtc' });
    if (symbols) generateSymbols(tree, phandles, diags);
  }
  if (depFile !== undefined) {
    // dtc -d: a make rule, the output (as named, '-' for stdout) depending on every file opened.
    const failure = tryWriteFile(depFile, `${out ?? '-'}:${opened.map((f) => ` ${f}`).join('')}\n`);
    if (failure) {
      io.stderr(`FATAL ERROR: Couldn't open dependency file ${depFile}: ${failure.strerror}\n`);
      return 1;
    }
  }
  show(diags);
  if (diags.some((d) => d.severity === 'error')) {
    if (!force) {
      io.stderr('ERROR: Input tree has errors, aborting (use -f to force output)\n');
      return 2;
    }
    if (quiet < 3) io.stderr('Warning: Input tree has errors, output forced\n');
  }
  const result: string | Uint8Array = outFmt === 'dtb' ? encodeDtb(tree!, enc) : printDts(tree!);
  if (out === undefined || out === '-') io.stdout(result);
  else {
    const failure = tryWriteFile(out, result);
    if (failure) {
      io.stderr(`FATAL ERROR: Couldn't open output file ${out}: ${failure.strerror}\n`);
      return 1;
    }
  }
  return 0;
}
