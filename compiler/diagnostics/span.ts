import type { Position, Span } from '../../schemas/span.js';

export type { Position, Span };

/** The text of every file the front end read, so diagnostics can show code frames without reading files twice. */
export type SourceMap = ReadonlyMap<string, string>;

export function spanToString(span: Span): string {
  return `${span.file}:${span.start.line}:${span.start.column}`;
}

/** Computes line/column for an offset in `text`. */
export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1, offset };
}
