import { mkdirSync, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bindingSet, type Binding, type BindingSet } from '../../schemas/bindings/dt.js';
import { hvccBindings } from '../../schemas/bindings/hvcc.js';
import { componentSchemas, type ComponentManifest } from '../../schemas/component.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { positionAt } from '../diagnostics/span.js';
import { writeFileAtomic } from '../fs/files.js';
import { identitiesHold, settledIdentities } from '../fs/identity.js';
import { closest } from '../diagnostics/suggest.js';
import { bindingFileSchemas, bindingFromFile, type BindingFile } from './bindings.js';
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

function findManifests(dir: string, out: string[], folders: string[]): void {
  folders.push(dir);
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
    else if (!entry.name.startsWith('.') && (entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(full)))) findManifests(full, out, folders);
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
export function loadCatalogue(runtimeDir: string, searchPath: readonly string[] = [], cache?: CatalogueCache): { catalogue: ComponentCatalogue; diagnostics: Diagnostic[] } {
  const kept = cache && keptAt(cache, [runtimeDir, ...searchPath]);
  const stored = kept && readStored(kept.file, kept.key);
  if (stored) return { catalogue: fromStored(runtimeDir, searchPath, stored), diagnostics: [] };
  const started = Date.now();
  const read: string[] = [];
  const store: StoredCatalogue['components'] = [];
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
    findManifests(root, paths, read);
    for (const manifestPath of paths) {
      read.push(manifestPath);
      const { json, text } = readJson(manifestPath, diagnostics, M.manifestInvalid);
      if (json === undefined) continue;
      const dir = join(manifestPath, '..');
      const parsed = componentSchemas().ComponentManifest.safeParse(json);
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
      const entry: StoredCatalogue['components'][number] = { manifestPath, root, manifest: parsed.data, bindings: [] };
      if (component.kconfigPath) entry.kconfigPath = component.kconfigPath;
      store.push(entry);
      for (const file of bindingFiles(dir)) {
        read.push(file);
        const json = readJson(file, diagnostics, M.bindingInvalid);
        if (json.json === undefined) continue;
        const b = bindingFileSchemas().BindingFile.safeParse(json.json);
        if (!b.success) {
          for (const issue of b.error.issues) diagnostics.push(diagnostic(M.bindingInvalid, `${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, jsonPathSpan(file, json.text, issue.path)));
          continue;
        }
        const made = bindingFromFile(b.data, { file, component: parsed.data.name });
        const twin = bindings.find((o) => o.role === made.role && JSON.stringify(o.match) === JSON.stringify(made.match));
        if (twin) {
          diagnostics.push(
            diagnostic(M.bindingInvalid, `${file} declares a binding for ${JSON.stringify(made.match)} as ${made.role}, which ${twin.source ? twin.source.file : 'hvcc'} declares already`, wholeFileSpan(file, json.text)),
          );
          continue;
        }
        bindings.push(made);
        entry.bindings.push({ file, data: b.data });
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
  // Only a catalogue without a single diagnostic is kept: a mistake is reported afresh each time, at its place.
  if (kept && diagnostics.length === 0) writeStored(kept.file, kept.key, read, store, started);
  return { catalogue: { runtimeDir, searchPath: [...searchPath], components, byName, bindings: bindingSet(bindings) }, diagnostics };
}

/**
 * Where loadCatalogue may keep what it read: the cache folder, and the identity of the code that reads
 * (another build of hvcc may read manifests differently, and reads them again). What is kept is each
 * manifest and binding file as the schemas accepted them, with the identity (fs/identity.ts) of every folder
 * walked and file read: any change to them, or a folder gaining or losing an entry, reads everything again.
 * Reading and checking some forty JSON files took 20-30 ms of every command.
 */
export interface CatalogueCache {
  dir: string;
  code: string;
}

interface StoredCatalogue {
  version: 1;
  /** The code and the folders it was read for (the file's name is a short hash of it). */
  key: string;
  entries: [string, string][];
  components: { manifestPath: string; root: string; manifest: ComponentManifest; kconfigPath?: string; bindings: { file: string; data: BindingFile }[] }[];
}

/** Where the catalogue of these folders, read by this code, is kept: its file, and the key it holds. */
function keptAt(cache: CatalogueCache, roots: readonly string[]): { file: string; key: string } {
  const key = JSON.stringify({ code: cache.code, roots });
  return { file: join(cache.dir, 'catalogue', `${fnv1a(key)}.json`), key };
}

/** FNV-1a, 32 bits: a file name, not an identity (node:crypto alone takes milliseconds to load). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

function readStored(file: string, key: string): StoredCatalogue | undefined {
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as StoredCatalogue;
    return stored.version === 1 && stored.key === key && Array.isArray(stored.entries) && identitiesHold(stored.entries) ? stored : undefined;
  } catch {
    return undefined;
  }
}

function writeStored(file: string, key: string, read: string[], components: StoredCatalogue['components'], started: number): void {
  const entries = settledIdentities(read, started);
  if (!entries) return;
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch {
    return; // a cache folder that cannot be written: the next command reads the components again
  }
  writeFileAtomic(file, JSON.stringify({ version: 1, key, entries, components } satisfies StoredCatalogue));
}

/** The catalogue as loadCatalogue made it from the same files, without a diagnostic. */
function fromStored(runtimeDir: string, searchPath: readonly string[], stored: StoredCatalogue): ComponentCatalogue {
  const components: Component[] = [];
  const bindings: Binding[] = [...hvccBindings];
  for (const c of stored.components) {
    const component: Component = { manifest: c.manifest, dir: join(c.manifestPath, '..'), manifestPath: c.manifestPath, root: c.root };
    if (c.kconfigPath) component.kconfigPath = c.kconfigPath;
    components.push(component);
    for (const b of c.bindings) bindings.push(bindingFromFile(b.data, { file: b.file, component: c.manifest.name }));
  }
  return { runtimeDir, searchPath: [...searchPath], components, byName: new Map(components.map((c) => [c.manifest.name, c])), bindings: bindingSet(bindings) };
}
