import type { Diagnostic, RelatedSpan, Severity } from './diagnostic.js';
import type { Span } from './span.js';

/**
 * One entry of the message catalogue. Every diagnostic hvcc prints comes from one of these, so codes are
 * stable and `docs/diagnostics.md` (generated from the catalogue) lists them all.
 *
 * Code ranges: HV0xxx usage and files, HV1xxx device-tree language, HV2xxx description model (bindings),
 * HV3xxx system checks, HV4xxx components and plan, HV5xxx build and toolchain, HV6xxx Kconfig.
 */
export interface MessageDef {
  code: string;
  /** Kebab-case name; for checks this is what `-W no-<name>` switches off. */
  name: string;
  severity: Severity;
  /** One line for the catalogue in docs/. */
  summary: string;
}

export interface DiagnosticExtras {
  related?: RelatedSpan[];
  notes?: string[];
  help?: string;
}

export function defineMessages<T extends Record<string, MessageDef>>(defs: T): T {
  return defs;
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' };

/**
 * A message line as printed: one line, whatever text it quotes. A control character (a newline or a NUL in
 * a string value, a path or a token) is shown escaped, as the source would write it, not printed.
 */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x1f\x7f]/.test(text) ? text.replace(/[\x00-\x1f\x7f]/g, (c) => ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`) : text;
}

/** Makes a diagnostic from a catalogue entry. */
export function diagnostic(def: MessageDef, message: string, span?: Span, extras: DiagnosticExtras = {}): Diagnostic {
  const d: Diagnostic = {
    code: def.code,
    name: def.name,
    severity: def.severity,
    message: oneLine(message),
    related: (extras.related ?? []).map((r) => ({ ...r, message: oneLine(r.message) })),
    notes: (extras.notes ?? []).map(oneLine),
  };
  if (span) d.span = span;
  if (extras.help !== undefined) d.help = oneLine(extras.help);
  return d;
}
