import type { Binding } from './dt.js';
import { deviceBindings } from './devices.js';
import { hvccBindings } from './hvcc.js';

export * from './dt.js';
export * from './hvcc.js';
export * from './devices.js';

/** Every binding the compiler knows; docs/bindings/ and the JSON Schemas are generated from this list. */
export const bindings: Binding[] = [...hvccBindings, ...deviceBindings];

/** The binding for a node with these compatible strings in this role, most specific compatible first. */
export function bindingFor(role: Binding['role'], compatibles: readonly string[]): Binding | undefined {
  for (const c of compatibles) {
    const found = bindings.find((b) => b.role === role && 'compatible' in b.match && b.match.compatible === c);
    if (found) return found;
  }
  return undefined;
}
