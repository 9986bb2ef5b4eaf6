import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ComponentManifest } from '../../schemas/component.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { positionAt } from '../diagnostics/span.js';
import { componentMessages as M } from './messages.js';

/** A runtime component: its manifest and the folder it lives in. */
export interface Component {
  manifest: ComponentManifest;
  /** Absolute folder path. */
  dir: string;
  /** Absolute path of manifest.json. */
  manifestPath: string;
  /** Absolute path of the folder's Kconfig file, when it has one. */
  kconfigPath?: string;
}

export interface ComponentCatalogue {
  runtimeDir: string;
  components: Component[];
  byName: ReadonlyMap<string, Component>;
}

function findManifests(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (entry === 'manifest.json') out.push(full);
    else if (statSync(full).isDirectory()) findManifests(full, out);
  }
}

function wholeFileSpan(file: string, text: string) {
  return { file, start: positionAt(text, 0), end: positionAt(text, Math.min(text.length, 1)) };
}

/**
 * Reads every `manifest.json` below the runtime folder. The compiler knows components only through these,
 * so adding one is adding a folder.
 */
export function loadCatalogue(runtimeDir: string): { catalogue: ComponentCatalogue; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const paths: string[] = [];
  findManifests(runtimeDir, paths);
  const components: Component[] = [];
  const byName = new Map<string, Component>();
  for (const manifestPath of paths) {
    const text = readFileSync(manifestPath, 'utf8');
    const dir = join(manifestPath, '..');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      diagnostics.push(
        diagnostic(M.manifestInvalid, `${relative(runtimeDir, manifestPath)} is not valid JSON: ${(e as Error).message}`, wholeFileSpan(manifestPath, text)),
      );
      continue;
    }
    const parsed = ComponentManifest.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        diagnostics.push(
          diagnostic(M.manifestInvalid, `${relative(runtimeDir, manifestPath)}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, wholeFileSpan(manifestPath, text)),
        );
      }
      continue;
    }
    const component: Component = { manifest: parsed.data, dir, manifestPath };
    const kconfigPath = join(dir, 'Kconfig');
    try {
      if (statSync(kconfigPath).isFile()) component.kconfigPath = kconfigPath;
    } catch {
      // A component without options has no Kconfig file.
    }
    const clash = byName.get(parsed.data.name);
    if (clash) {
      diagnostics.push(
        diagnostic(M.duplicateComponent, `two components are named '${parsed.data.name}'`, wholeFileSpan(manifestPath, text), {
          notes: [`the other one is ${clash.manifestPath}`],
        }),
      );
      continue;
    }
    byName.set(parsed.data.name, component);
    components.push(component);
  }
  for (const c of components) {
    for (const need of c.manifest.needs) {
      if (!byName.has(need)) {
        const text = readFileSync(c.manifestPath, 'utf8');
        diagnostics.push(diagnostic(M.missingNeed, `component '${c.manifest.name}' needs '${need}', which does not exist`, wholeFileSpan(c.manifestPath, text)));
      }
    }
  }
  return { catalogue: { runtimeDir, components, byName }, diagnostics };
}
