/**
 * Appends `items` to `to` one by one. `to.push(...items)` passes every item as an argument, and V8 throws
 * RangeError past some 100,000 arguments: a description with that many diagnostics, or a property of that
 * many bytes, must not crash the compiler.
 */
export function append<T>(to: T[], items: Iterable<T>): T[] {
  for (const item of items) to.push(item);
  return to;
}
