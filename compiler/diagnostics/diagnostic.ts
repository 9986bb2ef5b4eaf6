import type { Span } from './span.js';

export type Severity = 'error' | 'warning' | 'note';

/** A secondary location: the other party of a conflict, or where something was declared. */
export interface RelatedSpan {
  span: Span;
  message: string;
}

/** Diagnostics are plain data; rendering them is the CLI's business (see render.ts). */
export interface Diagnostic {
  /** Stable code, e.g. "HV2001". Listed in catalogue.ts and documented in docs/. */
  code: string;
  /** The check or rule name, e.g. "guest-memory-overlap" (what `-W no-<name>` names). */
  name: string;
  severity: Severity;
  message: string;
  span?: Span;
  related: RelatedSpan[];
  notes: string[];
  help?: string;
}

/** Collects diagnostics for one run of one pass. Passes return these; nothing is global. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  add(d: Diagnostic): void {
    this.items.push(d);
  }

  addAll(ds: readonly Diagnostic[]): void {
    for (const d of ds) this.items.push(d);
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}
