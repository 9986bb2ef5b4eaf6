import { readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import type { Position, Span } from '../diagnostics/span.js';

export type ReadFile = (path: string) => string | Uint8Array | undefined;

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

export const defaultReadFile: ReadFile = (p) => {
  try {
    return readFileSync(p);
  } catch {
    return undefined;
  }
};

/** Loads files and remembers their text (the `sources` map of parseDts). */
export class SourceLoader {
  readonly sources = new Map<string, string>();
  private readonly lineStarts = new Map<string, number[]>();
  constructor(
    readonly readFile: ReadFile,
    readonly includeDirs: string[],
  ) {}

  /** Reads a file as text (latin1), caching it in `sources`. */
  load(path: string): string | undefined {
    const cached = this.sources.get(path);
    if (cached !== undefined) return cached;
    const data = this.readFile(path);
    if (data === undefined) return undefined;
    const text = bytesToText(data);
    this.sources.set(path, text);
    return text;
  }

  loadBytes(path: string): Uint8Array | undefined {
    const data = this.readFile(path);
    if (data === undefined) return undefined;
    if (typeof data === 'string') return textToBytes(bytesToText(data));
    return data;
  }

  /** dtc's srcfile_relative_open: absolute paths as is, else the including file's directory, then the include dirs. */
  resolve(name: string, fromFile: string | undefined, exists: (p: string) => boolean): string | undefined {
    if (name.startsWith('/')) return exists(name) ? name : undefined;
    const candidates: string[] = [];
    if (fromFile !== undefined) {
      const slash = fromFile.lastIndexOf('/');
      candidates.push(slash < 0 ? name : fromFile.slice(0, slash) + '/' + name);
    } else candidates.push(name);
    for (const d of this.includeDirs) candidates.push(d.endsWith('/') ? d + name : d + '/' + name);
    for (const c of candidates) if (exists(c)) return c;
    return undefined;
  }

  resolveText(name: string, fromFile: string | undefined): string | undefined {
    return this.resolve(name, fromFile, (p) => this.load(p) !== undefined);
  }

  resolveBinary(name: string, fromFile: string | undefined): { path: string; data: Uint8Array } | undefined {
    let data: Uint8Array | undefined;
    const p = this.resolve(name, fromFile, (c) => {
      data = this.loadBytes(c);
      return data !== undefined;
    });
    return p !== undefined && data !== undefined ? { path: p, data } : undefined;
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
