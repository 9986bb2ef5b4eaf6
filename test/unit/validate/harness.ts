import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { analyze, type AnalyzeOptions } from '../../../compiler/build/analyze.js';
import type { Diagnostic } from '../../../compiler/diagnostics/diagnostic.js';
import { packageRoot } from '../../../compiler/paths.js';

export const root = packageRoot;

/** The example guests (fixtures and examples load their images); a no-op when they are current. */
export function buildGuests(): void {
  execFileSync('make', ['-s', '-C', join(root, 'examples', 'guests')], { stdio: 'inherit' });
}

/** Diagnostics that are not notes (dtc's "failed prerequisite" notes follow its own errors). */
export function problems(ds: readonly Diagnostic[]): Diagnostic[] {
  return ds.filter((d) => d.severity !== 'note');
}

/**
 * Analyzes in-memory text as if it were the file `file` (includes and images resolve from there; other
 * files come from disk).
 */
export function analyzeText(file: string, text: string, options: Omit<AnalyzeOptions, 'file' | 'readFile'> = {}) {
  const abs = resolve(file);
  const readFile = (path: string) => {
    if (resolve(path) === abs) return text;
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  };
  return analyze({ ...options, file: abs, readFile });
}

export function describeDiagnostic(d: Diagnostic): string {
  const at = d.span ? `${d.span.file}:${d.span.start.line}:${d.span.start.column}` : '(no span)';
  return `${d.code} ${d.severity} ${at} ${d.message}`;
}

export { dirname };
