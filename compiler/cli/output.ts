import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { renderDiagnostic, summary } from '../diagnostics/render.js';
import type { Span } from '../diagnostics/span.js';
import type { DiagnosticJson, SpanJson, ValidateJson } from '../../schemas/diagnostic-json.js';

export interface Io {
  stdout: (data: string | Uint8Array) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (colors). */
  color: boolean;
  cwd: string;
  /** What the interactive Kconfig commands read (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
  stdinIsTTY?: boolean;
  /** Progress of a long step, on a terminal only (a line rewritten in place; undefined clears it). */
  progress?: (step: string | undefined) => void;
}

/** Each diagnostic with its code frames, then (unless `withSummary` is false) a line counting them. */
export function printDiagnostics(io: Io, diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>, withSummary = true): void {
  // Written in pieces of some 64 KiB: one write per diagnostic is a system call each.
  const options = { color: io.color, cwd: io.cwd, sources };
  let pending = '';
  for (const d of diagnostics) {
    pending += renderDiagnostic(d, options) + '\n\n';
    if (pending.length >= 65536) {
      io.stderr(pending);
      pending = '';
    }
  }
  if (pending) io.stderr(pending);
  if (withSummary && diagnostics.length > 0) io.stderr(summary(diagnostics, io.color) + '\n');
}

/**
 * The line `hvcc validate` ends with: how many files (and, when every one could be analyzed, guests) it
 * checked, and what it found: "hvcc: 1 file, 2 guests: no problems".
 */
export function validateSummary(files: number, guests: number | undefined, diagnostics: readonly Diagnostic[], color: boolean): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const counted = [plural(files, 'file'), ...(guests === undefined ? [] : [plural(guests, 'guest')])].join(', ');
  return `hvcc: ${counted}: ${summary(diagnostics, color)}`;
}

function spanJson(span: Span): SpanJson {
  return { file: span.file, line: span.start.line, column: span.start.column, endLine: span.end.line, endColumn: span.end.column };
}

/** The stable JSON form of a diagnostic (schemas/diagnostic-json.ts; documented in docs/cli.md). */
export function diagnosticJson(d: Diagnostic): DiagnosticJson {
  return {
    code: d.code,
    name: d.name,
    severity: d.severity,
    message: d.message,
    span: d.span ? spanJson(d.span) : null,
    related: d.related.map((r) => ({ message: r.message, span: spanJson(r.span) })),
    notes: d.notes,
    help: d.help ?? null,
  };
}

/** What `hvcc validate --format json` prints. */
export function validateJson(diagnostics: readonly Diagnostic[]): ValidateJson {
  return { version: 1, diagnostics: diagnostics.map(diagnosticJson) };
}
