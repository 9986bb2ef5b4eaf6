import { relative } from 'node:path';
import type { Diagnostic, Severity } from './diagnostic.js';
import type { SourceMap, Span } from './span.js';

export interface RenderOptions {
  color: boolean;
  /** Paths are shown relative to this folder. */
  cwd: string;
  sources: SourceMap;
}

const CODES = { red: 31, yellow: 33, blue: 34, cyan: 36, green: 32, bold: 1 } as const;

function paint(on: boolean, style: keyof typeof CODES, text: string): string {
  return on ? `\x1b[${CODES[style]}m${text}\x1b[0m` : text;
}

const SEVERITY_STYLE: Record<Severity, keyof typeof CODES> = { error: 'red', warning: 'yellow', note: 'cyan' };

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}

/**
 * Each source's lines, split once per source map: a description with many diagnostics would otherwise be
 * split again for each (quadratic: 80,000 warnings on a 2 MB file took minutes).
 */
const linesBySources = new WeakMap<SourceMap, Map<string, readonly string[]>>();

function sourceLines(sources: SourceMap, file: string): readonly string[] | undefined {
  let byFile = linesBySources.get(sources);
  if (!byFile) linesBySources.set(sources, (byFile = new Map()));
  let lines = byFile.get(file);
  if (lines === undefined) {
    const text = sources.get(file);
    if (text === undefined) return undefined;
    byFile.set(file, (lines = text.split('\n')));
  }
  return lines;
}

/** A code frame for one span: the line(s) with a caret underline, like rustc. */
function frame(span: Span, label: string, primary: boolean, options: RenderOptions, gutter: number): string[] {
  const lines = sourceLines(options.sources, span.file);
  const out: string[] = [];
  const pad = ' '.repeat(gutter);
  const arrow = primary ? '-->' : ':::';
  out.push(`${pad}${paint(options.color, 'blue', arrow)} ${displayPath(span.file, options.cwd)}:${span.start.line}:${span.start.column}`);
  if (lines === undefined) return out;
  const line = lines[span.start.line - 1];
  if (line === undefined) return out;
  const bar = paint(options.color, 'blue', '|');
  const underlineEnd = span.end.line === span.start.line ? Math.max(span.end.column, span.start.column + 1) : line.length + 1;
  const width = Math.max(1, underlineEnd - span.start.column);
  const marker = (primary ? '^' : '-').repeat(width);
  const expanded = line.replace(/\t/g, '    ');
  const prefix = line.slice(0, span.start.column - 1).replace(/\t/g, '    ');
  out.push(`${pad} ${bar}`);
  out.push(`${paint(options.color, 'blue', String(span.start.line).padStart(gutter))} ${bar} ${expanded}`);
  out.push(`${pad} ${bar} ${' '.repeat(prefix.length)}${paint(options.color, primary ? 'red' : 'blue', marker)}${label ? ' ' + paint(options.color, primary ? 'red' : 'blue', label) : ''}`);
  return out;
}

/** Renders one diagnostic as text, rustc-style, with code frames for its primary and related spans. */
export function renderDiagnostic(d: Diagnostic, options: RenderOptions): string {
  const head = `${paint(options.color, SEVERITY_STYLE[d.severity], `${d.severity}[${d.code}]`)}${paint(options.color, 'bold', `: ${d.message}`)}`;
  const spans = [d.span, ...d.related.map((r) => r.span)].filter((s): s is Span => s !== undefined);
  const gutter = Math.max(1, ...spans.map((s) => String(s.start.line).length));
  const out = [head];
  if (d.span) out.push(...frame(d.span, '', true, options, gutter));
  for (const r of d.related) out.push(...frame(r.span, r.message, false, options, gutter));
  const pad = ' '.repeat(gutter);
  for (const note of d.notes) {
    const [first, ...rest] = note.split('\n');
    out.push(`${pad} ${paint(options.color, 'blue', '=')} ${paint(options.color, 'bold', 'note')}: ${first}`);
    for (const r of rest) out.push(`${pad}         ${r}`);
  }
  if (d.help) out.push(`${pad} ${paint(options.color, 'blue', '=')} ${paint(options.color, 'bold', 'help')}: ${d.help}`);
  return out.join('\n');
}

export function summary(ds: readonly Diagnostic[], color: boolean): string {
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.filter((d) => d.severity === 'warning').length;
  const parts: string[] = [];
  if (errors) parts.push(paint(color, 'red', `${errors} error${errors === 1 ? '' : 's'}`));
  if (warnings) parts.push(paint(color, 'yellow', `${warnings} warning${warnings === 1 ? '' : 's'}`));
  return parts.length ? parts.join(', ') : paint(color, 'green', 'no problems');
}
