import { describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConfMode } from '../../../compiler/kconfig/conf-cli.js';
import type { Case, RefTool } from './harness.js';
import { fixtureFiles, fixturesRoot, haveFrontends, haveKconfiglib, runFrontends, runKconfiglib, runOurs } from './harness.js';

/**
 * Differential tests: for every fixture under test/fixtures/kconfig (with a `Kconfig` and an optional `fixture.json`
 * naming the reference tools and environment), every conf mode is run by the reference tool and by hvcc, and the
 * resulting .config / minimal defconfig / listnewconfig output must be identical after normalisation (see harness.ts).
 */
interface FixtureSpec {
  tools?: RefTool[];
  env?: Record<string, string>;
  modes?: ConfMode[];
  /** Test name → reason: known, analysed differences where the reference tool does not do what Linux does. */
  deviations?: Partial<Record<RefTool, Record<string, string>>>;
}

const ALL_MODES: ConfMode[] = ['allnoconfig', 'allyesconfig', 'allmodconfig', 'alldefconfig'];

function cases(fixture: string, spec: FixtureSpec, tool: RefTool): Case[] {
  const env = spec.env ?? {};
  const out: Case[] = [];
  const modes = spec.modes;
  const want = (m: ConfMode): boolean => !modes || modes.includes(m);
  for (const m of ALL_MODES) if (want(m)) out.push({ fixture, mode: m, env });
  const configs = fixtureFiles(fixture, 'config.');
  for (const cfg of [undefined, ...configs]) {
    if (want('olddefconfig')) out.push({ fixture, mode: 'olddefconfig', ...(cfg ? { config: cfg } : {}), env });
    if (want('savedefconfig')) out.push({ fixture, mode: 'savedefconfig', ...(cfg ? { config: cfg } : {}), env });
    // syncconfig's generated files (autoconf.h, auto.conf) against conf, from an existing .config.
    if (cfg && want('syncconfig') && tool === 'frontends') out.push({ fixture, mode: 'syncconfig', config: cfg, stdin: '', env });
    if (want('listnewconfig') && tool === 'kconfiglib') out.push({ fixture, mode: 'listnewconfig', ...(cfg ? { config: cfg } : {}), env });
  }
  for (const d of fixtureFiles(fixture, 'defconfig.')) if (want('defconfig')) out.push({ fixture, mode: 'defconfig', defconfig: d, env });
  // kconfiglib's oldconfig asks its own way and it has no oldaskconfig: the line-oriented modes are compared with conf.
  for (const a of tool === 'frontends' ? fixtureFiles(fixture, 'answers.') : []) {
    const stdin = fs.readFileSync(path.join(fixturesRoot(), fixture, a), 'latin1');
    if (want('oldaskconfig')) out.push({ fixture, mode: 'oldaskconfig', stdin, env });
    for (const cfg of configs) if (want('oldconfig')) out.push({ fixture, mode: 'oldconfig', config: cfg, stdin, env });
  }
  for (const a of fixtureFiles(fixture, 'allconfig.')) {
    for (const m of ALL_MODES) if (want(m)) out.push({ fixture, mode: m, env: { ...env, KCONFIG_ALLCONFIG: a } });
  }
  return out;
}

const fixtures = fs
  .readdirSync(fixturesRoot())
  .filter((f) => fs.existsSync(path.join(fixturesRoot(), f, 'Kconfig')) && !f.startsWith('errors'))
  .sort();

const available: Record<RefTool, boolean> = { frontends: haveFrontends(), kconfiglib: haveKconfiglib() };
// A missing tool fails this test (bootstrap.sh installs both); its comparisons are then not run at all.
test('reference tools are installed (kconfig-frontends-nox, python3-kconfiglib)', () => {
  expect(available).toEqual({ frontends: true, kconfiglib: true });
});

for (const fixture of fixtures) {
  const specFile = path.join(fixturesRoot(), fixture, 'fixture.json');
  const spec: FixtureSpec = fs.existsSync(specFile) ? JSON.parse(fs.readFileSync(specFile, 'utf8')) : {};
  for (const tool of spec.tools ?? (['frontends', 'kconfiglib'] as RefTool[])) {
    const d = available[tool] ? describe : describe.skip;
    d(`${fixture} vs ${tool}`, () => {
      for (const c of cases(fixture, spec, tool)) {
        const name = [c.mode, c.config, c.defconfig, c.env?.['KCONFIG_ALLCONFIG'] ? `ALLCONFIG=${c.env['KCONFIG_ALLCONFIG']}` : '', c.stdin !== undefined ? 'stdin' : '']
          .filter(Boolean)
          .join(' ');
        const deviation = spec.deviations?.[tool]?.[name];
        if (deviation) {
          // A known difference of the reference tool from Linux: it must still be there (else the entry is stale).
          test(`${name} (known ${tool} deviation: ${deviation})`, async () => {
            const ref = tool === 'frontends' ? runFrontends(c) : runKconfiglib(c);
            const ours = await runOurs(c, tool);
            expect(ours.status).toBe(0);
            expect(ours.out).not.toEqual(ref.out);
          });
          continue;
        }
        test(name, async () => {
          const ref = tool === 'frontends' ? runFrontends(c) : runKconfiglib(c);
          const ours = await runOurs(c, tool);
          expect({ status: ours.status === 0 ? 0 : 1, out: ours.out }).toEqual({ status: ref.status === 0 ? 0 : 1, out: ref.out });
        });
      }
    });
  }
}
