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
}

export function printDiagnostics(io: Io, diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): void {
  for (const d of diagnostics) io.stderr(renderDiagnostic(d, { color: io.color, cwd: io.cwd, sources }) + '\n\n');
  if (diagnostics.length > 0) io.stderr(summary(diagnostics, io.color) + '\n');
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
