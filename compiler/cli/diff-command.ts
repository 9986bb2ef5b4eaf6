import { relative } from 'node:path';
import { analyze, type AnalyzeOptions } from '../driver/analyze.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { printDiagnostics, type Io } from './output.js';
import { buildSystemMap } from '../map/model.js';
import { diffSystems } from '../diff/diff.js';
import { systemFacts, type SystemFacts } from '../diff/facts.js';
import { diffJson, diffMarkdown, diffText, type DiffFormat, type DiffReport } from '../diff/render.js';

/** diff(1)'s exit statuses: 0 the systems are the same, 1 they differ, 2 trouble (usage, a description with errors). */
export const DIFF_EXIT = { same: 0, changed: 1, trouble: 2 } as const;

export interface DiffCommand extends Omit<AnalyzeOptions, 'file' | 'configFile'> {
  old: string;
  new: string;
  format: DiffFormat;
  oldConfig?: string | undefined;
  newConfig?: string | undefined;
  /** What to call each side in the output (as diff(1)'s --label); default: its path. */
  oldLabel?: string | undefined;
  newLabel?: string | undefined;
}

function side(io: Io, file: string, configFile: string | undefined, options: DiffCommand): { facts?: SystemFacts; errors: number } {
  const analysis = analyze({ ...options, file, configFile });
  const built = buildSystemMap({ analysis, cwd: io.cwd });
  const diagnostics = [...analysis.diagnostics, ...built.diagnostics];
  printDiagnostics(io, diagnostics, analysis.sources);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  if (!analysis.partial) return { errors: Math.max(errors, 1) };
  const options_ = analysis.partial.options;
  return { facts: systemFacts(analysis.partial.system, built.map, options_ ? { values: options_.values, source: options_.source } : undefined), errors: hasErrors(diagnostics) ? errors : 0 };
}

/**
 * `hvcc diff OLD NEW`: the changes to the system, in text, JSON or Markdown (for a pull-request comment).
 * A description with errors is compared as far as it could be read — the output says so — and the exit
 * status is then 2, as it is when one cannot be read at all (nothing is printed then).
 */
export function runDiff(io: Io, options: DiffCommand): number {
  const a = side(io, options.old, options.oldConfig, options);
  const b = side(io, options.new, options.newConfig, options);
  const name = (f: string) => relative(io.cwd, f) || f;
  if (!a.facts || !b.facts) {
    io.stderr(`hvcc: cannot compare: ${!a.facts ? name(options.old) : name(options.new)} could not be read as a system\n`);
    return DIFF_EXIT.trouble;
  }
  const problems: string[] = [];
  if (a.errors) problems.push(`${name(options.old)} has ${a.errors} error${a.errors === 1 ? '' : 's'}: compared as far as it could be read`);
  if (b.errors) problems.push(`${name(options.new)} has ${b.errors} error${b.errors === 1 ? '' : 's'}: compared as far as it could be read`);
  if (!a.facts.options || !b.facts.options) problems.push('the Kconfig options could not be resolved for both: options not compared');
  const report: DiffReport = { old: options.oldLabel ?? name(options.old), new: options.newLabel ?? name(options.new), changes: diffSystems(a.facts, b.facts), problems };
  io.stdout(options.format === 'json' ? JSON.stringify(diffJson(report), null, 2) + '\n' : options.format === 'markdown' ? diffMarkdown(report) : diffText(report));
  if (a.errors || b.errors) return DIFF_EXIT.trouble;
  return report.changes.length ? DIFF_EXIT.changed : DIFF_EXIT.same;
}
