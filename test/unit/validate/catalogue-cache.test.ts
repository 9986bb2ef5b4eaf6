/**
 * The component catalogue kept between commands (components/catalogue.ts, CatalogueCache): a second load
 * of unchanged folders is served from the cache, and any change to a manifest, a binding file or a folder's
 * entries is read afresh. The components here are a search-path folder made for each test, beside the runtime.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue, type CatalogueCache } from '../../../compiler/components/catalogue.js';
import { runtimeDir } from '../../../compiler/paths.js';

let work: string;
let components: string;
let cache: CatalogueCache;

/** Writes a file dated a minute ago: the cache trusts no file modified within two seconds of a load. */
function writeOld(path: string, text: string): void {
  writeFileSync(path, text);
  const past = new Date(Date.now() - 60_000);
  utimesSync(path, past, past);
}

function writeComponent(name: string, compatible: string, description: string): void {
  const dir = join(components, name);
  mkdirSync(dir, { recursive: true });
  writeOld(join(dir, 'manifest.json'), JSON.stringify({ name, kind: 'emulator', description, compatible: [compatible], sources: ['x.c'], ops: `${name.replace(/-/g, '_')}_ops` }, null, 2));
  writeOld(join(dir, 'binding.json'), JSON.stringify({ compatible, role: 'guest-device', title: `${name} device`, description: `The ${name} device.`, properties: { reg: { type: 'reg', required: true } } }, null, 2));
}

function load() {
  const r = loadCatalogue(runtimeDir, [components], cache);
  expect(r.diagnostics).toEqual([]);
  return r.catalogue;
}

const storedFiles = () => readdirSync(join(cache.dir, 'catalogue'));

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'hvcc-catalogue-cache-'));
  components = join(work, 'components');
  mkdirSync(components);
  cache = { dir: join(work, 'cache'), code: 'test-build-1' };
  writeComponent('acme-uart', 'acme,uart', 'An emulated ACME UART.');
});

afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('the component catalogue cache', () => {
  test('a second load of unchanged folders comes from the cache, and gives the same catalogue', () => {
    const first = load();
    expect(storedFiles()).toHaveLength(1);
    const file = join(cache.dir, 'catalogue', storedFiles()[0]!);
    // Marks the stored copy: a load that returns the mark read the cache, not the manifest.
    writeFileSync(file, readFileSync(file, 'utf8').replace('An emulated ACME UART.', 'From the cache.'));
    const second = load();
    expect(second.byName.get('acme-uart')?.manifest.description).toBe('From the cache.');
    expect(second.components.map((c) => [c.manifest.name, c.dir, c.kconfigPath ?? null])).toEqual(first.components.map((c) => [c.manifest.name, c.dir, c.kconfigPath ?? null]));
    expect(second.bindings.all.map((b) => [b.id, b.role, b.source?.file ?? null])).toEqual(first.bindings.all.map((b) => [b.id, b.role, b.source?.file ?? null]));
    // The bindings' schemas still work when made from the stored data.
    expect(Object.keys(second.bindings.forCompatible('guest-device', ['acme,uart'])!.properties.shape)).toEqual(['reg']);
  });

  test('a changed manifest or binding file is read again', () => {
    load();
    writeComponent('acme-uart', 'acme,uart', 'A changed description.');
    expect(load().byName.get('acme-uart')?.manifest.description).toBe('A changed description.');
    const binding = join(components, 'acme-uart', 'binding.json');
    writeOld(binding, readFileSync(binding, 'utf8').replace('"reg": {', '"acme,depth": { "type": "u32" }, "reg": {'));
    expect(Object.keys(load().bindings.forCompatible('guest-device', ['acme,uart'])!.properties.shape).sort()).toEqual(['acme,depth', 'reg']);
  });

  test('a new component folder, or a removed one, is noticed', () => {
    load();
    writeComponent('acme-timer', 'acme,timer', 'An emulated ACME timer.');
    expect(load().byName.has('acme-timer')).toBe(true);
    rmSync(join(components, 'acme-uart'), { recursive: true });
    expect(load().byName.has('acme-uart')).toBe(false);
  });

  test('another build of hvcc reads the folders again', () => {
    load();
    cache = { ...cache, code: 'test-build-2' };
    load();
    expect(storedFiles()).toHaveLength(2);
  });

  test('a catalogue with a diagnostic is not kept, nor one read just after a file changed', () => {
    writeOld(join(components, 'acme-uart', 'manifest.json'), '{ "name": ');
    expect(loadCatalogue(runtimeDir, [components], cache).diagnostics.map((d) => d.code)).toEqual(['HV4001']);
    expect(() => storedFiles()).toThrow();
    writeComponent('acme-uart', 'acme,uart', 'An emulated ACME UART.');
    writeFileSync(join(components, 'acme-uart', 'binding.json'), readFileSync(join(components, 'acme-uart', 'binding.json')));
    load();
    expect(() => storedFiles()).toThrow();
  });
});
