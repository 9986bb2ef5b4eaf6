import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join, resolve } from 'node:path';
import { bindingSet, type Binding, type BindingSet } from '../../schemas/bindings/dt.js';
import { hvccBindings } from '../../schemas/bindings/hvcc.js';
import { ComponentManifest } from '../../schemas/component.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { positionAt } from '../diagnostics/span.js';
import { closest } from '../diagnostics/suggest.js';
import { BindingFile, bindingFromFile } from './bindings.js';
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
  /** The component folder tree it was found in (the runtime, or a folder of the search path). */
  root: string;
}

export interface ComponentCatalogue {
  /** The runtime folder (its root Kconfig sources the in-tree components). */
  runtimeDir: string;
  /** Folders of the component search path, after the runtime. */
  searchPath: string[];
  components: Component[];
  byName: ReadonlyMap<string, Component>;
  /** hvcc's own bindings and every component's. */
  bindings: BindingSet;
}

/** The environment variable naming extra component folders (separated by ':'), searched after the runtime. */
export const COMPONENT_PATH_ENV = 'HVCC_COMPONENT_PATH';

/** Folders named on the command line first, then those of $HVCC_COMPONENT_PATH. */
export function componentSearchPath(fromOptions: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env[COMPONENT_PATH_ENV] ?? '').split(':').filter((p) => p.length > 0);
  return [...new Set([...fromOptions, ...fromEnv].map((p) => resolve(p)))];
}

function findManifests(dir: string, out: string[]): void {
  let entries: Dirent[];
  try {
    // The entries' types come with the listing: no stat of every file in the tree.
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.name === 'manifest.json') out.push(full);
    else if (!entry.name.startsWith('.') && (entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(full)))) findManifests(full, out);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function wholeFileSpan(file: string, text: string) {
  return { file, start: positionAt(text, 0), end: positionAt(text, Math.min(text.length, 1)) };
}

/**
 * Where a JSON path (a zod issue's) is written: the key of its last named member, found by following the
 * named members in order (array indices are skipped); the whole file when a key is not found.
 */
export function jsonPathSpan(file: string, text: string, path: readonly PropertyKey[]) {
  let at = 0;
  let found: { start: number; end: number } | undefined;
  for (const segment of path) {
    if (typeof segment !== 'string') continue;
    const re = new RegExp(`"${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:`, 'g');
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) break;
    found = { start: m.index, end: m.index + segment.length + 2 };
    at = m.index + m[0].length;
  }
  if (!found) return wholeFileSpan(file, text);
  return { file, start: positionAt(text, found.start), end: positionAt(text, found.end) };
}

function readJson(path: string, diagnostics: Diagnostic[], def: typeof M.manifestInvalid): { json?: unknown; text: string } {
  const text = readFileSync(path, 'utf8');
  try {
    return { json: JSON.parse(text), text };
  } catch (e) {
    diagnostics.push(diagnostic(def, `${path} is not valid JSON: ${(e as Error).message}`, wholeFileSpan(path, text)));
    return { text };
  }
}

/** The binding files of a component folder: binding.json and NAME.binding.json. */
function bindingFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f === 'binding.json' || f.endsWith('.binding.json'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Reads every `manifest.json` below the runtime folder and the folders of the search path, with each
 * component's Kconfig and binding files. The compiler knows components only through these, so adding one
 * is adding a folder.
 */
export function loadCatalogue(runtimeDir: string, searchPath: readonly string[] = []): { catalogue: ComponentCatalogue; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const components: Component[] = [];
  const byName = new Map<string, Component>();
  const bindings: Binding[] = [...hvccBindings];
  for (const root of [runtimeDir, ...searchPath]) {
    if (root !== runtimeDir && !isDirectory(root)) {
      diagnostics.push(diagnostic(M.searchPathMissing, `the component folder '${root}' does not exist or is not a folder`));
      continue;
    }
    const paths: string[] = [];
    findManifests(root, paths);
    for (const manifestPath of paths) {
      const { json, text } = readJson(manifestPath, diagnostics, M.manifestInvalid);
      if (json === undefined) continue;
      const dir = join(manifestPath, '..');
      const parsed = ComponentManifest.safeParse(json);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          diagnostics.push(diagnostic(M.manifestInvalid, `${manifestPath}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, jsonPathSpan(manifestPath, text, issue.path)));
        }
        continue;
      }
      const component: Component = { manifest: parsed.data, dir, manifestPath, root };
      const kconfigPath = join(dir, 'Kconfig');
      if (statSync(kconfigPath, { throwIfNoEntry: false })?.isFile()) component.kconfigPath = kconfigPath;
      const clash = byName.get(parsed.data.name);
      if (clash) {
        diagnostics.push(
          diagnostic(M.duplicateComponent, `two components are named '${parsed.data.name}'`, jsonPathSpan(manifestPath, text, ['name']), {
            notes: [`the other one is ${clash.manifestPath}`],
          }),
        );
        continue;
      }
      byName.set(parsed.data.name, component);
      components.push(component);
      for (const file of bindingFiles(dir)) {
        const read = readJson(file, diagnostics, M.bindingInvalid);
        if (read.json === undefined) continue;
        const b = BindingFile.safeParse(read.json);
        if (!b.success) {
          for (const issue of b.error.issues) diagnostics.push(diagnostic(M.bindingInvalid, `${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, jsonPathSpan(file, read.text, issue.path)));
          continue;
        }
        const made = bindingFromFile(b.data, { file, component: parsed.data.name });
        const twin = bindings.find((o) => o.role === made.role && JSON.stringify(o.match) === JSON.stringify(made.match));
        if (twin) {
          diagnostics.push(
            diagnostic(M.bindingInvalid, `${file} declares a binding for ${JSON.stringify(made.match)} as ${made.role}, which ${twin.source ? twin.source.file : 'hvcc'} declares already`, wholeFileSpan(file, read.text)),
          );
          continue;
        }
        bindings.push(made);
      }
    }
  }
  for (const c of components) {
    for (const need of c.manifest.needs) {
      if (!byName.has(need)) {
        const text = readFileSync(c.manifestPath, 'utf8');
        const suggestion = closest(need, [...byName.keys()]);
        diagnostics.push(
          diagnostic(M.missingNeed, `component '${c.manifest.name}' needs '${need}', which does not exist`, jsonPathSpan(c.manifestPath, text, ['needs']), suggestion ? { help: `did you mean '${suggestion}'?` } : {}),
        );
      }
    }
  }
  return { catalogue: { runtimeDir, searchPath: [...searchPath], components, byName, bindings: bindingSet(bindings) }, diagnostics };
}
