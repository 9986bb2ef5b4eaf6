import * as nodePath from 'node:path';
import type { Position, Span } from '../diagnostics/span.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { FileFailure, tryReadBytes } from '../fs/files.js';
import { M } from './messages.js';

/**
 * Reads a file: its text or bytes; undefined when it does not exist; or a FileFailure (compiler/fs) saying
 * why it cannot be read (a folder, no permission, ...), which the front end reports where the file was named.
 */
export type ReadFile = (path: string) => string | Uint8Array | undefined | FileFailure;

/** Where a search for an included file ended when it found nothing readable. */
export interface NotFound {
  /** Every path tried, in order. */
  searched: string[];
  /** A candidate that exists but cannot be read: the search stops there (as a C compiler's does). */
  failure?: FileFailure;
}

/** Text of a file as dtc sees it: one JS char per byte (latin1), so offsets and columns are byte offsets. */
export function bytesToText(data: string | Uint8Array): string {
  if (typeof data === 'string') {
    // Already text: make it byte-per-char (UTF-8) unless it is plain ASCII.
    // eslint-disable-next-line no-control-regex
    if (/^[\x00-\x7f]*$/.test(data)) return data;
    return Buffer.from(data, 'utf8').toString('latin1');
  }
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
}

export function textToBytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

/** The file system, through compiler/fs: a missing file is undefined, any other failure a FileFailure. */
const reader =
  (special: boolean): ReadFile =>
  (p) => {
    const r = tryReadBytes(p, { special });
    return r instanceof FileFailure && r.missing ? undefined : r;
  };
export const defaultReadFile: ReadFile = reader(false);

/** As defaultReadFile, but any file: a named pipe or a device too (dtc's input file, as dtc reads it). */
export const readAnyFile: ReadFile = reader(true);

/** Loads files and remembers their text (the `sources` map of parseDts). */
export class SourceLoader {
  readonly sources = new Map<string, string>();
  private readonly lineStarts = new Map<string, number[]>();
  constructor(
    readonly readFile: ReadFile,
    readonly includeDirs: string[],
  ) {}

  /**
   * Where in the token stream the next file is opened (the lexer and parser set it): dtc opens an /incbin/
   * file while parsing, between the tokens of the included files, and `opened` keeps that order.
   */
  position = -1;
  private readonly openedAt: { path: string; at: number }[] = [];

  /** Every file the entry, /include/ and /incbin/ opened, in dtc's order, repeats included: dtc -d's list. */
  get opened(): string[] {
    return this.openedAt
      .map((o, i) => ({ ...o, i }))
      .sort((a, b) => a.at - b.at || a.i - b.i)
      .map((o) => o.path);
  }

  noteOpened(path: string): void {
    this.openedAt.push({ path, at: this.position });
  }
  /** Why the last `load`/`loadBytes` of each path failed, when it was not simply missing. */
  readonly failures = new Map<string, FileFailure>();

  private readRaw(path: string): string | Uint8Array | undefined {
    const data = this.readFile(path);
    if (data instanceof FileFailure) {
      if (data.missing) return undefined;
      this.failures.set(path, data);
      return undefined;
    }
    return data;
  }

  /** Reads a file as text (latin1), caching it in `sources`. */
  load(path: string): string | undefined {
    const cached = this.sources.get(path);
    if (cached !== undefined) return cached;
    const data = this.readRaw(path);
    if (data === undefined) return undefined;
    const text = bytesToText(data);
    this.sources.set(path, text);
    return text;
  }

  loadBytes(path: string): Uint8Array | undefined {
    const data = this.readRaw(path);
    if (data === undefined) return undefined;
    if (typeof data === 'string') return textToBytes(bytesToText(data));
    return data;
  }

  /** The candidates dtc's srcfile_relative_open tries: absolute paths as is, else the including file's directory, then the include dirs. */
  candidates(name: string, fromFile: string | undefined): string[] {
    if (name.startsWith('/')) return [name];
    const out: string[] = [];
    if (fromFile !== undefined) {
      const slash = fromFile.lastIndexOf('/');
      out.push(slash < 0 ? name : fromFile.slice(0, slash) + '/' + name);
    } else out.push(name);
    for (const d of this.includeDirs) out.push(d.endsWith('/') ? d + name : d + '/' + name);
    return out;
  }

  /**
   * The first candidate that `read` reads. A candidate that exists but cannot be read (a folder, no
   * permission) ends the search with its failure, rather than being skipped for a file further on.
   */
  private search<T>(name: string, fromFile: string | undefined, read: (p: string) => T | undefined): { path: string; value: T } | NotFound {
    const searched = this.candidates(name, fromFile);
    for (const c of searched) {
      const value = read(c);
      if (value !== undefined) {
        this.noteOpened(c);
        return { path: c, value };
      }
      const failure = this.failures.get(c);
      if (failure) return { searched, failure };
    }
    return { searched };
  }

  resolveText(name: string, fromFile: string | undefined): { path: string; text: string } | NotFound {
    const r = this.search(name, fromFile, (p) => this.load(p));
    return 'value' in r ? { path: r.path, text: r.value } : r;
  }

  resolveBinary(name: string, fromFile: string | undefined): { path: string; data: Uint8Array } | NotFound {
    const r = this.search(name, fromFile, (p) => this.loadBytes(p));
    return 'value' in r ? { path: r.path, data: r.value } : r;
  }

  /** Offset of a line/column in a known file (for spans mapped through # line markers); -1 if unknown. */
  offsetOf(file: string, line: number, column: number): number {
    const text = this.sources.get(file) ?? this.load(file);
    if (text === undefined) return -1;
    let starts = this.lineStarts.get(file);
    if (!starts) {
      starts = [0];
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
      this.lineStarts.set(file, starts);
    }
    if (line < 1 || line > starts.length) return -1;
    return Math.min(starts[line - 1]! + column - 1, text.length);
  }
}

export function pos(line: number, column: number, offset: number): Position {
  return { line, column, offset };
}

export function joinSpans(a: Span, b: Span): Span {
  if (a.file !== b.file) return a;
  return { file: a.file, start: a.start, end: b.end };
}

export function dirnameOf(p: string): string {
  return nodePath.dirname(p);
}

/**
 * The diagnostic for an /include/ or /incbin/ that found nothing: dtc's "Couldn't open" (HV1008) with the
 * places searched, or, when a candidate exists but cannot be read, that failure (compiler/fs) at the same span.
 */
export function notFoundDiagnostic(nf: NotFound, name: string, span: Span | undefined, kind: '/include/' | '/incbin/'): Diagnostic {
  if (nf.failure) return nf.failure.diagnostic({ what: kind === '/include/' ? 'the included file' : 'the /incbin/ file', written: name, ...(span ? { span } : {}) });
  const notes = nf.searched.length > 1 ? [`looked for ${nf.searched.map((p) => `'${p}'`).join(', ')}`] : [];
  return diagnostic(M.includeNotFound, `Couldn't open "${name}": No such file or directory`, span, {
    notes,
    help: kind === '/include/' ? 'a relative path is searched in the including file\'s folder, then in each -i folder' : undefined,
  });
}
