/**
 * `hvcc conf --randconfig` against Linux's conf (kconfig-conf, Linux 4.11's C code, with hvcc in its
 * linux-4.11 mode): the same .config for the same KCONFIG_SEED and KCONFIG_PROBABILITY, on the fixtures, on
 * seeded random trees, and on a tree built so that symbols share buckets of conf's symbol hash table (whose
 * order decides which symbol gets which random number). glibc's rand() itself is checked against libc,
 * called from Python's ctypes.
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runConf } from '../../../compiler/kconfig/conf-cli.js';
import { GlibcRandom, randconfigProbabilities, randconfigSeed } from '../../../compiler/kconfig/random.js';
import { generateKconfig } from './generate.js';
import { fixturesRoot, haveFrontends, normalise } from './harness.js';

interface Out {
  status: number;
  config: string;
  /** The KCONFIG_SEED line and any error, in order. */
  messages: string[];
}

function scratch(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hvcc-rand-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function read(dir: string): string {
  const p = path.join(dir, '.config');
  return fs.existsSync(p) ? normalise(fs.readFileSync(p, 'latin1'), 'frontends') : '<none>';
}

const interesting = (s: string) => s.split('\n').filter((l) => /^KCONFIG_SEED=|KCONFIG_PROBABILITY/.test(l));

function theirs(files: Record<string, string>, env: Record<string, string>): Out {
  const dir = scratch(files);
  try {
    const r = spawnSync('kconfig-conf', ['--randconfig', 'Kconfig'], { cwd: dir, encoding: 'latin1', env: { PATH: process.env['PATH'] ?? '', srctree: '.', ...env }, input: '' });
    return { status: r.status ?? -1, config: read(dir), messages: interesting(r.stderr + r.stdout) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function ours(files: Record<string, string>, env: Record<string, string>): Promise<Out> {
  const dir = scratch(files);
  try {
    let out = '';
    const status = await runConf(['--randconfig', 'Kconfig'], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (out += s) },
      stdin: '',
      env: { srctree: '.', HVCC_KCONFIG_COMPAT: 'linux-4.11', ...env },
      cwd: dir,
    });
    return { status, config: read(dir), messages: interesting(out) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function fixture(name: string): Record<string, string> {
  const root = path.join(fixturesRoot(), name);
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else files[path.relative(root, full)] = fs.readFileSync(full, 'latin1');
    }
  };
  walk(root);
  return files;
}

const d = haveFrontends() ? describe : describe.skip;

test("glibc's rand() as libc computes it", () => {
  const seeds = [0, 1, 42, 0x7fffffff, 0x80000000, 0xdeadbeef, 0xffffffff];
  const py = spawnSync('python3', ['-c', `import ctypes\nlibc = ctypes.CDLL('libc.so.6')\nfor s in ${JSON.stringify(seeds)}:\n    libc.srand(ctypes.c_uint(s))\n    print(' '.join(str(libc.rand()) for _ in range(400)))\n`], { encoding: 'utf8' });
  expect(py.status).toBe(0);
  const lines = py.stdout.trim().split('\n');
  seeds.forEach((seed, i) => {
    const r = new GlibcRandom(seed);
    expect(Array.from({ length: 400 }, () => r.next()).join(' ')).toBe(lines[i]);
  });
});

test('KCONFIG_SEED and KCONFIG_PROBABILITY are read as conf reads them', () => {
  expect(randconfigSeed({ KCONFIG_SEED: '0x10' })).toBe(16);
  expect(randconfigSeed({ KCONFIG_SEED: '010' })).toBe(8);
  expect(randconfigSeed({ KCONFIG_SEED: '-1' })).toBe(0xffffffff);
  expect(randconfigSeed({ KCONFIG_SEED: '4294967297' })).toBe(1);
  expect(randconfigSeed({ KCONFIG_SEED: '12abc' }, { sec: 9, usec: 99 })).toBe(1000);
  expect(randconfigProbabilities({ KCONFIG_PROBABILITY: '10' })).toEqual({ pby: 10, pty: 5, ptm: 5 });
  expect(randconfigProbabilities({ KCONFIG_PROBABILITY: '30:20' })).toEqual({ pby: 50, pty: 30, ptm: 20 });
  expect(randconfigProbabilities({ KCONFIG_PROBABILITY: '1:2:3' })).toEqual({ pby: 1, pty: 2, ptm: 3 });
  expect(randconfigProbabilities({ KCONFIG_PROBABILITY: '60:50' })).toHaveProperty('error');
});

d('--randconfig vs kconfig-conf', () => {
  /** The fixtures kconfig-conf reads (fixture.json may name other tools only), with their environment. */
  const spec = (f: string): { tools?: string[]; env?: Record<string, string> } => {
    const p = path.join(fixturesRoot(), f, 'fixture.json');
    return fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, 'utf8')) as { tools?: string[]; env?: Record<string, string> }) : {};
  };
  const fixtures = fs.readdirSync(fixturesRoot()).filter((f) => fs.existsSync(path.join(fixturesRoot(), f, 'Kconfig')) && (spec(f).tools ?? ['frontends']).includes('frontends'));
  test.each(fixtures)('fixture %s, several seeds and probabilities', async (name) => {
    const files = fixture(name);
    for (const e of <Record<string, string>[]>[{ KCONFIG_SEED: '1' }, { KCONFIG_SEED: '0xdeadbeef' }, { KCONFIG_SEED: '31337', KCONFIG_PROBABILITY: '80' }, { KCONFIG_SEED: '7', KCONFIG_PROBABILITY: '20:70' }, { KCONFIG_SEED: '0', KCONFIG_PROBABILITY: '90:5:5' }]) {
      const env = { ...(spec(name).env ?? {}), ...e };
      expect({ env, ...(await ours(files, env)) }).toEqual({ env, ...theirs(files, env) });
    }
  });

  test('seeded random trees (40 trees, 3 seeds each)', async () => {
    for (let t = 1; t <= 40; t++) {
      const g = generateKconfig(1000 + t, 40 + (t % 5) * 10);
      for (const seed of ['1', String(t * 7919), '0x' + (t * 0x9e3779b1 >>> 0).toString(16)]) {
        const env = { KCONFIG_SEED: seed };
        expect({ t, seed, ...(await ours({ Kconfig: g.kconfig }, env)) }).toEqual({ t, seed, ...theirs({ Kconfig: g.kconfig }, env) });
      }
    }
  });

  test('symbols sharing hash buckets: the order conf created them in decides', async () => {
    // HV_C0, HV_C11640, HV_C17519, HV_C34076 share a bucket; so do HV_C1, HV_C11641, HV_C34077; and
    // HV_C2, HV_C3848, HV_C11478, HV_C11642. `select X if Y` creates Y before X in Linux 4.11's parser.
    const kconfig = [
      'config MODULES\n\tbool "modules"\n\tdefault y\n\toption modules\n',
      'config HV_C11640\n\tbool "a"\n\tselect HV_C17519 if HV_C34076\n',
      'config HV_C0\n\ttristate "b"\n',
      'config HV_C17519\n\tbool "c"\n',
      'config HV_C34076\n\ttristate "d"\n\timply HV_C11641 if HV_C1\n',
      'config HV_C1\n\tbool "e"\n',
      'config HV_C11641\n\ttristate "f"\n',
      'config HV_C34077\n\tbool "g"\n\tdepends on HV_C0\n',
      'choice\n\tprompt "unnamed"\nconfig HV_C2\n\tbool "h"\nconfig HV_C3848\n\tbool "i"\nendchoice\n',
      'choice HV_C11478\n\tprompt "named"\n\tdefault HV_C11642 if HV_C3848\nconfig HV_C11642\n\tbool "j"\nconfig HV_C9\n\tbool "k"\nendchoice\n',
      'choice\n\tprompt "tristate choice"\n\ttristate\nconfig HV_C20\n\ttristate "l"\nconfig HV_C21\n\ttristate "m"\nendchoice\n',
    ].join('\n');
    for (let seed = 1; seed <= 60; seed++) {
      const env = { KCONFIG_SEED: String(seed) };
      expect({ seed, ...(await ours({ Kconfig: kconfig }, env)) }).toEqual({ seed, ...theirs({ Kconfig: kconfig }, env) });
    }
  });

  test('KCONFIG_SEED forms and bad KCONFIG_PROBABILITY values', async () => {
    const files = fixture('choice');
    for (const env of <Record<string, string>[]>[{ KCONFIG_SEED: '0x10' }, { KCONFIG_SEED: '010' }, { KCONFIG_SEED: '-1' }, { KCONFIG_SEED: ' 77' }, { KCONFIG_SEED: '4294967297' }, { KCONFIG_SEED: '5', KCONFIG_PROBABILITY: '60:50' }, { KCONFIG_SEED: '5', KCONFIG_PROBABILITY: '101' }, { KCONFIG_SEED: '5', KCONFIG_PROBABILITY: 'abc' }, { KCONFIG_SEED: '5', KCONFIG_PROBABILITY: '0' }, { KCONFIG_SEED: '5', KCONFIG_PROBABILITY: '100' }]) {
      expect({ env, ...(await ours(files, env)) }).toEqual({ env, ...theirs(files, env) });
    }
  });

  test('KCONFIG_ALLCONFIG: allrandom.config fixes some symbols, the rest is random', async () => {
    const files = { ...fixture('basic'), 'allrandom.config': fixture('basic')['allconfig.1']! };
    for (const seed of ['3', '4', '5']) {
      const env = { KCONFIG_SEED: seed, KCONFIG_ALLCONFIG: '1' };
      expect({ seed, ...(await ours(files, env)) }).toEqual({ seed, ...theirs(files, env) });
    }
  });
});
