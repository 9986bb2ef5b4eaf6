import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { buildTree } from './build.js';
import { runChecks, type CheckLevel } from './checks.js';
import { DtsLexer } from './lexer.js';
import { M } from './messages.js';
import { type DtsParser, parseTokens } from './parser.js';
import { preprocessDts, wantsPreprocessor } from './preprocess.js';
import { defaultReadFile, SourceLoader, type ReadFile } from './source.js';
import { generateOverlayFixups, generateSymbols } from './symbols.js';
import type { DtTree } from './tree.js';

export type * from './tree.js';
export * from './values.js';
export { encodeDtb, decodeDtb, printDts, type EncodeDtbOptions } from './dtb.js';
export { checkTable, runChecks, type Check, type CheckLevel } from './checks.js';
export { M as dtsMessages } from './messages.js';
export { runDtc } from './dtc-cli.js';

export interface ParseDtsOptions {
  /** Searched after the including file's directory, for /include/, /incbin/ and (with cpp) #include. */
  includeDirs?: string[];
  /** Reads a file; undefined when it does not exist. Defaults to the file system. */
  readFile?: ReadFile;
  /** A parser to reuse: building one costs some 30 ms, so callers that parse many sources keep one. */
  parser?: DtsParser;
  /**
   * Run the C preprocessor first (`cpp -nostdinc -undef -D__DTS__ -x assembler-with-cpp`, as Linux does).
   * Default: 'auto' — only when the entry file has a line starting with a cpp directive (#include, #define, #if...).
   * Spans point back to the original files through cpp's line markers.
   */
  preprocess?: boolean | 'auto';
  /** -D definitions for the preprocessor: NAME or NAME=VALUE strings, or a record. */
  defines?: string[] | Record<string, string | number | boolean>;
  /** The cpp executable (default 'cpp'). */
  cpp?: string;
  /** dtc -@: add __symbols__ (allocating a phandle for every labelled node). */
  symbols?: boolean;
  /** dtc -W/-E: check levels by name (dtc's underscore or kebab-case names). */
  checks?: Record<string, CheckLevel>;
  /** dtc's -W/-E options in command-line order (with dtc's propagation to prerequisites/dependents). */
  checkFlags?: { kind: 'W' | 'E'; arg: string }[];
  /** Keep running checks after the first failed error-level check (dtc stops there). */
  allChecks?: boolean;
  /** Skip dtc's semantic checks except the reference fixups (phandles, paths, /omit-if-no-ref/). */
  fixupsOnly?: boolean;
  /** How checks skipped for a failed prerequisite are reported (see CheckOptions; default 'summary'). */
  prerequisiteNotes?: 'dtc' | 'summary';
}

/** Lexical and syntax errors come from two passes; report them in source order (files in order of appearance). */
function sortByPosition(ds: Diagnostic[]): void {
  const fileOrder = new Map<string, number>();
  for (const d of ds) if (d.span && !fileOrder.has(d.span.file)) fileOrder.set(d.span.file, fileOrder.size);
  const keyed = ds.map((d, i) => ({ d, i }));
  keyed.sort((a, b) => {
    const sa = a.d.span;
    const sb = b.d.span;
    if (!sa || !sb) return a.i - b.i;
    return fileOrder.get(sa.file)! - fileOrder.get(sb.file)! || sa.start.line - sb.start.line || sa.start.column - sb.start.column || a.i - b.i;
  });
  keyed.forEach((k, i) => (ds[i] = k.d));
}

function endOf(file: string, text: string) {
  let line = 1;
  let ls = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) (line++, (ls = i + 1));
  const p = { line, column: text.length - ls + 1, offset: text.length };
  return { file, start: p, end: p };
}

export interface ParseDtsResult {
  tree?: DtTree;
  diagnostics: Diagnostic[];
  /** Every file read (latin1 text: one char per byte, so span offsets and columns are byte positions). */
  sources: Map<string, string>;
  /** The files opened, in order, as dtc lists them in a -d dependency file (the entry, /include/s, /incbin/s). */
  opened?: string[];
}

/**
 * Parses and evaluates a DTS file as dtc 1.6 does (-I dts): includes, merging, deletions, phandle allocation,
 * reference fixups and dtc's checks. Never throws on bad input: every problem is a located diagnostic.
 * `tree` is absent when the source has syntax errors (or no root node); check errors leave the tree present.
 */
export function parseDts(entryPath: string, options: ParseDtsOptions = {}): ParseDtsResult {
  const diagnostics: Diagnostic[] = [];
  const loader = new SourceLoader(options.readFile ?? defaultReadFile, options.includeDirs ?? []);
  try {
    const text = loader.load(entryPath);
    if (text !== undefined) loader.noteOpened(entryPath);
    if (text === undefined) {
      const failure = loader.failures.get(entryPath);
      diagnostics.push(failure ? failure.diagnostic({ what: 'the device-tree source' }) : diagnostic(M.readError, `Couldn't open "${entryPath}": No such file or directory`));
      return { diagnostics, sources: loader.sources };
    }
    const lexer = new DtsLexer(loader, diagnostics);
    const pp = options.preprocess ?? 'auto';
    if (pp === true || (pp === 'auto' && wantsPreprocessor(text))) {
      const out = preprocessDts(entryPath, loader, options, diagnostics);
      if (out === undefined) return { diagnostics, sources: loader.sources };
      lexer.lexFile(entryPath, out, undefined, true);
    } else {
      lexer.lexFile(entryPath, text);
    }
    if (lexer.tooLarge) return { diagnostics, sources: loader.sources };
    const before = diagnostics.length;
    const ast = parseTokens(lexer.tokens, loader, diagnostics, entryPath, lexer.includes, options.parser);
    sortByPosition(diagnostics);
    const syntaxFailed = diagnostics.slice(before).some((d) => d.code === M.syntaxError.code || d.code === M.propsAfterSubnodes.code || d.code === M.missingV1.code);
    if (!ast || syntaxFailed || diagnostics.some((d) => d.severity === 'error')) {
      // Lexical and evaluation errors (bad literals, missing includes...) still let us build a tree for tooling,
      // but syntax errors do not.
      if (!ast || syntaxFailed) return { diagnostics, sources: loader.sources };
    }
    const tree = buildTree(ast, diagnostics);
    if (!tree) {
      if (!diagnostics.some((d) => d.severity === 'error'))
        diagnostics.push(diagnostic(M.syntaxError, 'syntax error: no root node', endOf(entryPath, loader.sources.get(entryPath) ?? '')));
      return { diagnostics, sources: loader.sources };
    }
    const levels: Record<string, CheckLevel> = { ...(options.checks ?? {}) };
    const phandles = runChecks(tree, diagnostics, {
      levels,
      flags: options.checkFlags ?? [],
      allChecks: options.allChecks ?? false,
      fixupsOnly: options.fixupsOnly ?? false,
      symbols: options.symbols ?? false,
      prerequisiteNotes: options.prerequisiteNotes ?? 'summary',
    });
    if (options.symbols) generateSymbols(tree, phandles, diagnostics);
    if (tree.plugin) generateOverlayFixups(tree);
    return { tree, diagnostics, sources: loader.sources, opened: loader.opened };
  } catch (e) {
    // The nesting check catches the usual deep sources; another construct a generator repeats thousands of
    // times (a chain of unary operators, say) can still exhaust the stack of a pass that recurses.
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      // At the file's start: where the stack ran out is not known.
      diagnostics.push(diagnostic(M.nestedTooDeeply, 'the source is nested too deeply to process (the stack ran out)', endOf(entryPath, ''), { help: 'look for a construct repeated thousands of times inside another: nodes, parentheses, unary operators' }));
      return { diagnostics, sources: loader.sources };
    }
    // Defensive: the front end must not throw on any input.
    diagnostics.push(diagnostic(M.syntaxError, `internal error: ${(e as Error).message}`));
    return { diagnostics, sources: loader.sources };
  }
}
