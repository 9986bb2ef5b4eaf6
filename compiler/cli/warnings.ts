import { archBackends } from '../arch/index.js';
import { checks } from '../checks/catalogue.js';
import type { Check } from '../checks/check.js';
import { closest } from '../diagnostics/suggest.js';
import { dtcCheckNames } from '../dts/checks.js';

/**
 * Every name `-W no-<name>` accepts: hvcc's system checks (compiler/checks/catalogue.ts) and dtc's checks,
 * by dtc's name (`unit-address-vs-reg`, or dtc's own spelling `unit_address_vs_reg`) or by the catalogue
 * name of their code (`phandle-provider-cells`).
 */
export function switchableChecks(): string[] {
  return [...new Set([...systemChecks().filter((c) => !c.mandatory).map((c) => c.message.name), ...dtcCheckNames()])].sort();
}

/** hvcc's system checks, every architecture's included. */
function systemChecks(): Check[] {
  return [...checks, ...archBackends.flatMap((b) => b.checks)];
}

export class WarningSwitchError extends Error {}

/**
 * The checks `-W` switches off. `-W` takes `no-<check>` (checks are on by default); anything else — a name
 * no check has, or a check named without `no-` — is a usage error, with the nearest name when there is one.
 */
export function warningSwitches(values: unknown): { disabled: Set<string> } {
  const list = (Array.isArray(values) ? values : values === undefined ? [] : [values]).map(String);
  const known = switchableChecks();
  const knownSet = new Set(known);
  const disabled = new Set<string>();
  for (const value of list) {
    const negated = value.startsWith('no-') || value.startsWith('no_');
    const name = negated ? value.slice(3) : value;
    const dashed = name.replace(/_/g, '-');
    const isKnown = knownSet.has(name) || knownSet.has(dashed);
    const mandatory = systemChecks().find((c) => c.mandatory && c.message.name === dashed);
    if (mandatory) {
      throw new WarningSwitchError(`-W ${value}: the check '${dashed}' (${mandatory.message.code}) cannot be switched off: an image built past it would fail at boot`);
    }
    if (!isKnown) {
      const near = closest(dashed, known);
      throw new WarningSwitchError(`-W ${value}: no check is named '${name}'${near ? `; did you mean '${near}' (-W no-${near})?` : ' (the names are in docs/checks.md and docs/dts-checks.md)'}`);
    }
    if (!negated) throw new WarningSwitchError(`-W ${value}: checks are on by default; -W no-${name} switches this one off`);
    disabled.add(knownSet.has(name) ? name : dashed);
  }
  return { disabled };
}
