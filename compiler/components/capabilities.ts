import type { System } from '../../schemas/model.js';
import type { ControllerCapabilities } from '../checks/check.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { readFileSync } from 'node:fs';
import { jsonPathSpan, type ComponentCatalogue } from './catalogue.js';
import { componentMessages as M } from './messages.js';
import { emulatorFor } from './providers.js';

/**
 * What each guest interrupt controller of the description can do, as the emulator serving it declares in
 * its manifest ("interrupt-controller"), with counts that name Kconfig symbols resolved. The checks compare
 * the description against it, so an interrupt the emulator would drop is an error at the property.
 */
export function controllerCapabilities(
  system: System,
  catalogue: ComponentCatalogue,
  arch: string,
  intValue: (symbol: string) => number | undefined,
): { controllers: Map<string, ControllerCapabilities>; diagnostics: Diagnostic[] } {
  const controllers = new Map<string, ControllerCapabilities>();
  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const g of system.guests) {
    for (const d of g.devices) {
      const emulator = emulatorFor(catalogue, d.compatible, arch);
      const caps = emulator?.manifest['interrupt-controller'];
      if (!emulator || !caps) continue;
      const deliverable = caps.deliverable.flatMap((r) => {
        if (typeof r.count === 'number') return [{ first: r.first, count: r.count, what: r.what }];
        const n = intValue(r.count);
        if (n === undefined) {
          if (!reported.has(emulator.manifest.name)) {
            reported.add(emulator.manifest.name);
            const text = readFileSync(emulator.manifestPath, 'utf8');
            diagnostics.push(
              diagnostic(M.capabilityInvalid, `component '${emulator.manifest.name}' counts its ${r.what} by CONFIG_${r.count}, which has no int value`, jsonPathSpan(emulator.manifestPath, text, ['interrupt-controller']), {
                help: `declare ${r.count} as an int in the component's Kconfig, or give a number`,
              }),
            );
          }
          return [];
        }
        return [{ first: r.first, count: n, what: r.what, symbol: r.count }];
      });
      controllers.set(d.path, { path: d.path, emulator: emulator.manifest.name, capabilities: caps, deliverable });
    }
  }
  return { controllers, diagnostics };
}
