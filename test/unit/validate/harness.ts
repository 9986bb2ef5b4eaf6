import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { analyze, type AnalyzeOptions } from '../../../compiler/driver/analyze.js';
import type { Diagnostic } from '../../../compiler/diagnostics/diagnostic.js';
import { packageRoot } from '../../../compiler/paths.js';
import { DtsParser } from '../../../compiler/dts/parser.js';

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
/** One device-tree parser for the many descriptions a test file analyzes (building one costs ~30 ms). */
export const parser = new DtsParser();

export function analyzeText(file: string, text: string, options: Omit<AnalyzeOptions, 'file' | 'readFile'> = {}) {
  return analyze({ parser, ...options, file: resolve(file), readFile: overlay(file, text) });
}

/** A `readFile` that has `text` at `file` (whose folder need not exist) and reads every other file from disk. */
export function overlay(file: string, text: string): (path: string) => string | undefined {
  const abs = resolve(file);
  return (path: string) => {
    const real = resolve(path);
    if (real === abs) return text;
    // Like the CLI's reader: whatever cannot be read (missing, a folder) is undefined.
    try {
      return readFileSync(real, 'utf8');
    } catch {
      return undefined;
    }
  };
}

export function describeDiagnostic(d: Diagnostic): string {
  const at = d.span ? `${d.span.file}:${d.span.start.line}:${d.span.start.column}` : '(no span)';
  return `${d.code} ${d.severity} ${at} ${d.message}`;
}

export { dirname };
