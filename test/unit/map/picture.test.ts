/**
 * `hvcc map --format html|svg`, looked at in a real browser (Debian's chromium, headless): the page's DOM
 * after its script ran holds every guest, host range, guest region and conflict of the examples and of
 * descriptions with errors; screenshots are not blank and show the owners' colors (and the conflict color
 * where there are conflicts); the SVG is well-formed XML (libxml2's xmllint) and renders too.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { main } from '../../../compiler/cli/main.js';
import { analyze } from '../../../compiler/driver/analyze.js';
import { buildSystemMap, CONFLICT_COLOR, PALETTE, type SystemMap } from '../../../compiler/map/model.js';
import { packageRoot } from '../../../compiler/paths.js';
import { dumpDom, screenshot } from '../../support/chromium.js';
import { countColor, decodePng, distinctColors } from '../../support/png.js';

const examples = ['two-guests', 'passthrough', 'containment', 'rtc-emulated'].map((n) => join('examples', n, 'system.dts')).concat(join('test', 'fixtures', 'systems', 'vgic', 'system.dts'));
const broken = ['HV3001-guest-memory-overlap', 'HV3002-hypervisor-memory-overlap', 'HV3003-memory-outside-ram', 'HV3014-memory-placement', 'HV3021-guest-memory-device-overlap', 'HV3040-passthrough-shared', 'HV3026-duplicate-guest-name'].map((n) => join('test', 'fixtures', 'checks', n, 'system.dts')).concat(join('test', 'fixtures', 'systems', 'cpu-shared', 'system.dts'));

let out: string;
beforeAll(() => {
  execFileSync('make', ['-s', '-C', join(packageRoot, 'examples', 'guests')]);
  out = mkdtempSync(join(tmpdir(), 'hvcc-map-'));
});

function expected(file: string): SystemMap {
  return buildSystemMap({ analysis: analyze({ file: join(packageRoot, file) }), cwd: packageRoot }).map!;
}

async function render(file: string, format: 'html' | 'svg'): Promise<{ exit: number; path: string; err: string }> {
  const path = join(out, `${file.replace(/[/.]/g, '_')}.${format}`);
  let err = '';
  const exit = await main(['map', file, '--format', format, '-o', path], { stdout: () => {}, stderr: (t) => (err += t), color: false, cwd: packageRoot });
  return { exit, path, err };
}

/** Every attribute value of `name` in the markup. */
function attrs(dom: string, name: string): string[] {
  return [...dom.matchAll(new RegExp(`\\s${name}="([^"]*)"`, 'g'))].map((m) => m[1]!);
}

/** The ids of the <g> elements whose class matches (bands by default; columns are <g class="column guest">). */
function bandIds(dom: string, cls: RegExp = /^band\b/): string[] {
  return [...dom.matchAll(/<g\b([^>]*)>/g)].flatMap((m) => {
    const c = /\sclass="([^"]*)"/.exec(m[1]!)?.[1];
    const id = /\sid="([^"]*)"/.exec(m[1]!)?.[1];
    return c !== undefined && id !== undefined && cls.test(c) ? [id] : [];
  });
}

describe('hvcc map --format html in a browser', () => {
  test.each([...examples, ...broken])('%s: every guest, range, region and conflict is in the DOM', async (file) => {
    const { exit, path } = await render(file, 'html');
    const map = expected(file);
    expect(exit).toBe(broken.includes(file) ? 1 : 0);
    const html = readFileSync(path, 'utf8');
    // Self-contained: nothing is fetched.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(\s*['"]?(https?:|\/\/)|@font-face/i);
    const dom = dumpDom(path);
    expect(dom).toMatch(/<html[^>]*data-ready="true"/); // the script ran without an exception
    expect(map.guests.length).toBeGreaterThan(0);
    const columns = attrs(dom, 'data-guest');
    for (const g of map.guests) expect(columns).toContain(g.name);
    const bands = bandIds(dom);
    for (const s of map.host) expect(bands).toContain(s.id);
    for (const g of map.guests) for (const r of g.regions) expect(bands).toContain(r.id);
    // Each conflict is a row of the conflict table, and every band it concerns is drawn as a conflict.
    // (Errors are drawn as conflicts; items only warned about, outlined as warnings.)
    const conflictBands = bandIds(dom, /\bconflict\b/);
    const warnedBands = bandIds(dom, /\b(conflict|warning)\b/);
    expect(attrs(dom, 'data-conflict').sort()).toEqual(map.conflicts.map((c) => c.id).sort());
    for (const c of map.conflicts) for (const id of c.items.filter((i) => bands.includes(i))) expect(c.severity === 'error' ? conflictBands : warnedBands).toContain(id);
    // A guest in conflict as a whole (its node, its cpus) has its column marked.
    for (const c of map.conflicts.filter((x) => x.severity === 'error')) for (const id of c.items.filter((i) => map.guests.some((g) => g.id === i))) expect(conflictBands).toContain(id);
    // CPUs and interrupts in conflict are marked rows of their tables.
    const conflictRows = [...dom.matchAll(/<tr class="conflict" id="row-([^"]*)"/g)].map((m) => m[1]!);
    const warnedRows = [...dom.matchAll(/<tr class="(?:conflict|warning)" id="row-([^"]*)"/g)].map((m) => m[1]!);
    for (const c of map.conflicts) for (const id of c.items.filter((i) => /^(cpu|irq)-/.test(i))) expect(c.severity === 'error' ? conflictRows : warnedRows).toContain(id);
    if (broken.includes(file)) {
      expect(map.conflicts.filter((c) => c.severity === 'error').length).toBeGreaterThan(0);
      expect(conflictBands.length + conflictRows.filter((r) => /^(cpu|irq)-/.test(r)).length).toBeGreaterThan(0);
    } else expect(map.conflicts.filter((c) => c.severity === 'error')).toEqual([]);
    // Every CPU and interrupt (the board controller's and each guest's virtual ones) is a row of its table.
    const rows = attrs(dom, 'id').filter((id) => id.startsWith('row-'));
    for (const c of map.cpus) expect(rows).toContain(`row-${c.id}`);
    for (const i of map.interrupts) expect(rows).toContain(`row-${i.id}`);
    // The source location of every claim is on the page, as file:line:column.
    for (const c of map.claims) if (c.claimedAt) expect(dom).toContain(c.claimedAt.text);
  });

  test.each(['examples/two-guests/system.dts', 'test/fixtures/checks/HV3001-guest-memory-overlap/system.dts'])('%s: a screenshot shows the owners and the conflicts', async (file) => {
    const { path } = await render(file, 'html');
    const map = expected(file);
    const image = decodePng(screenshot(path, join(out, relative(packageRoot, file).replace(/[/.]/g, '_') + '.png')));
    expect(image.width).toBe(1500);
    expect(distinctColors(image)).toBeGreaterThan(50);
    expect(countColor(image, '#ffffff', 0)).toBeLessThan(image.width * image.height * 0.9);
    expect(countColor(image, PALETTE.hypervisor.color)).toBeGreaterThan(2000);
    map.guests.forEach((_, i) => expect(countColor(image, PALETTE.guests[i]!.color)).toBeGreaterThan(1000));
    if (map.errors) expect(countColor(image, CONFLICT_COLOR, 6)).toBeGreaterThan(300);
    else expect(countColor(image, CONFLICT_COLOR, 6)).toBeLessThan(300); // the legend's swatch only
  });

  test("details: a pinned band shows its range, owner, the claim's file:line:column and its conflicts", async () => {
    const file = 'test/fixtures/checks/HV3001-guest-memory-overlap/system.dts';
    const { path } = await render(file, 'html');
    const map = expected(file);
    const shared = map.host.find((s) => s.claims.length === 2)!;
    const details = (dom: string) => /<aside id="details"[^>]*>([\s\S]*?)<\/aside>/.exec(dom)![1]!.replace(/<[^>]+>/g, ' ');
    const dom = dumpDom(path, `#band=${shared.id}`);
    const text = details(dom);
    expect(text).toContain('shared: alpha RAM + beta RAM');
    expect(text).toContain('[0x48800000, 0x49000000)');
    for (const id of shared.claims) expect(text).toContain(map.claims.find((c) => c.id === id)!.claimedAt!.text);
    expect(text).toMatch(/⚠ HV3001\s+the memory of guest 'beta'/);
    // The guests' RAM regions that are these claims are outlined as linked.
    const linked = [...dom.matchAll(/<g class="band[^"]*\blinked\b[^"]*" id="([^"]*)"/g)].map((m) => m[1]);
    expect(linked).toEqual(expect.arrayContaining(['guest-alpha-ram-0', 'guest-beta-ram-0']));
    const region = details(dumpDom(path, '#band=guest-beta-ram-0'));
    expect(region).toMatch(/beta: RAM[\s\S]*guest physical[\s\S]*\[0x40000000, 0x41000000\)[\s\S]*\[0x48800000, 0x49800000\)/);
  });
});

describe('hvcc map --format svg', () => {
  test.each([...examples, ...broken])('%s is well-formed XML with every guest, range and conflict', async (file) => {
    const { exit, path } = await render(file, 'svg');
    expect(exit).toBe(broken.includes(file) ? 1 : 0);
    const lint = spawnSync('xmllint', ['--noout', '--nonet', path], { encoding: 'utf8' });
    expect(lint.stderr).toBe('');
    expect(lint.status).toBe(0);
    const svg = readFileSync(path, 'utf8');
    expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).not.toMatch(/(href|src)="(?!#)|@import|<script/);
    const map = expected(file);
    for (const g of map.guests) expect(attrs(svg, 'data-guest')).toContain(g.name);
    const bands = bandIds(svg);
    for (const s of map.host) expect(bands).toContain(s.id);
    for (const g of map.guests) for (const r of g.regions) expect(bands).toContain(r.id);
    expect(attrs(svg, 'data-conflict').sort()).toEqual(map.conflicts.map((c) => c.id).sort());
    // Hover details: each band's <title> names where it was claimed.
    for (const c of map.claims) if (c.claimedAt) expect(svg).toContain(c.claimedAt.text);
  });

  test.each(['examples/passthrough/system.dts', 'test/fixtures/systems/cpu-shared/system.dts'])('%s renders in the browser', async (file) => {
    const { path } = await render(file, 'svg');
    const dom = dumpDom(path);
    expect(dom).not.toMatch(/parsererror/);
    const map = expected(file);
    const image = decodePng(screenshot(path, join(out, relative(packageRoot, file).replace(/[/.]/g, '_') + '-svg.png'), 1300, 1400));
    expect(distinctColors(image)).toBeGreaterThan(50);
    expect(countColor(image, PALETTE.hypervisor.color)).toBeGreaterThan(2000);
    map.guests.forEach((_, i) => expect(countColor(image, PALETTE.guests[i]!.color)).toBeGreaterThan(1000));
  });
});
