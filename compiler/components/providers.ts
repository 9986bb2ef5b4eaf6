import type { Component, ComponentCatalogue } from './catalogue.js';

/**
 * The component of `kind` serving a node with these compatible strings on `arch`. A node's compatible list
 * goes from most to least specific: the first string anyone serves wins.
 */
export function provider(catalogue: ComponentCatalogue, kind: 'driver' | 'emulator', compatibles: readonly string[], arch: string): Component | undefined {
  for (const compat of compatibles) {
    const found = catalogue.components.find(
      (c) => c.manifest.kind === kind && c.manifest.compatible.includes(compat) && (c.manifest.arch.length === 0 || c.manifest.arch.includes(arch)),
    );
    if (found) return found;
  }
  return undefined;
}

export const emulatorFor = (catalogue: ComponentCatalogue, compatibles: readonly string[], arch: string) => provider(catalogue, 'emulator', compatibles, arch);
