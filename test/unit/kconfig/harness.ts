/**
 * Differential harness: runs Debian's kconfig tools (kconfig-frontends' kconfig-conf, the C implementation from Linux
 * 4.11, and kconfiglib's scripts) and hvcc's conf on the same fixture in scratch directories, and normalises the
 * outputs for comparison.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { conf } from '../../../compiler/kconfig/conf-cli.js';
import type { ConfMode } from '../../../compiler/kconfig/conf-cli.js';

export type RefTool = 'frontends' | 'kconfiglib';

const here = path.dirname(fileURLToPath(import.meta.url));
/** test/fixtures/kconfig in the source tree (tests run from the compiled copy under dist). */
export function fixturesRoot(): string {
  let dir = here;
  for (let i = 0; i < 8; i++) {
    const cand = path.join(dir, 'test', 'fixtures', 'kconfig');
    if (fs.existsSync(cand) && !dir.includes(`${path.sep}dist`)) return cand;
    dir = path.dirname(dir);
  }
  return path.resolve(process.cwd(), 'test/fixtures/kconfig');
}

export const KCONFIGLIB_DIR = '/usr/lib/python3/dist-packages';
export function haveFrontends(): boolean {
  return spawnSync('kconfig-conf', [], { stdio: 'ignore' }).error === undefined;
}
export function haveKconfiglib(): boolean {
  return fs.existsSync(path.join(KCONFIGLIB_DIR, 'kconfiglib.py'));
}

export interface Run {
  /** Normalised .config (or minimal defconfig, or listnewconfig output). */
  out: string;
  status: number;
  stdout: string;
  stderr: string;
}

export interface Case {
  fixture: string;
  mode: ConfMode;
  /** Input .config (file name in the fixture dir) copied to .config before running. */
  config?: string;
  /** defconfig input for --defconfig. */
  defconfig?: string;
  /** Answers for the interactive modes. */
  stdin?: string;
  env?: Record<string, string>;
}

export function scratch(fixture: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hvcc-kconfig-${fixture}-`));
  fs.cpSync(path.join(fixturesRoot(), fixture), dir, { recursive: true });
  return dir;
}

/** Drops the header comment (the only part that legitimately differs: tool name / main menu title). */
export function normalise(text: string, _tool: RefTool | 'ours-vs-frontends' | 'ours-vs-kconfiglib'): string {
  let lines = text.split('\n');
  let i = 0;
  while (i < lines.length && lines[i]!.startsWith('#') && !/^# CONFIG_\S+ is not set$/.test(lines[i]!)) i++;
  lines = lines.slice(i);
  while (lines.length && lines[0] === '') lines.shift();
  return lines.join('\n').replace(/\n*$/, '\n');
}

function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C', ...extra };
  return env;
}

function prepare(c: Case): string {
  const dir = scratch(c.fixture);
  if (c.config) fs.copyFileSync(path.join(dir, c.config), path.join(dir, '.config'));
  return dir;
}

function result(c: Case, dir: string, status: number, stdout: string, stderr: string, tool: Parameters<typeof normalise>[1]): Run {
  let out: string;
  if (c.mode === 'savedefconfig') out = readOr(path.join(dir, 'defconfig.out'));
  else if (c.mode === 'syncconfig') {
    // Generated files: compared as sorted lines without comments (conf walks its symbol hash table, hvcc the menus).
    const sorted = (f: string): string =>
      readOr(path.join(dir, f))
        .split('\n')
        .filter((l) => l && !/^#(?!define)/.test(l) && !l.startsWith('/*') && !l.startsWith(' *'))
        .sort()
        .join('\n');
    out = `autoconf.h:\n${sorted('include/generated/autoconf.h')}\nauto.conf:\n${sorted('include/config/auto.conf')}\n.config:\n${normalise(readOr(path.join(dir, '.config')), tool)}`;
  }
  else if (c.mode === 'listnewconfig') out = stdout.split('\n').filter((l) => l.startsWith('CONFIG_')).join('\n') + '\n';
  else out = normalise(readOr(path.join(dir, '.config')), tool);
  fs.rmSync(dir, { recursive: true, force: true });
  return { out, status, stdout, stderr };
}

function readOr(p: string): string {
  try {
    return fs.readFileSync(p, 'latin1');
  } catch {
    return '<missing>';
  }
}

export function runFrontends(c: Case): Run {
  const dir = prepare(c);
  if (c.mode === 'syncconfig') {
    // Linux 4.11 calls it --silentoldconfig and expects the output directories to exist.
    fs.mkdirSync(path.join(dir, 'include/config'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'include/generated'), { recursive: true });
  }
  const mode = c.mode === 'syncconfig' ? 'silentoldconfig' : c.mode;
  // As in kbuild, syncconfig runs on a configuration already brought up to date.
  if (c.mode === 'syncconfig') spawnSync('kconfig-conf', ['--olddefconfig', 'Kconfig'], { cwd: dir, env: baseEnv({ srctree: '.', ...c.env }), input: '' });
  const args = [c.mode === 'savedefconfig' ? '--savedefconfig=defconfig.out' : c.mode === 'defconfig' ? `--defconfig=${c.defconfig}` : `--${mode}`, 'Kconfig'];
  const r = spawnSync('kconfig-conf', args, { cwd: dir, env: baseEnv({ srctree: '.', ...c.env }), input: c.stdin ?? '', encoding: 'latin1' });
  return result(c, dir, r.status ?? -1, r.stdout, r.stderr, 'frontends');
}

export function runKconfiglib(c: Case): Run {
  const dir = prepare(c);
  const py = (script: string, ...a: string[]): { status: number; stdout: string; stderr: string } => {
    const r = spawnSync('python3', [path.join(KCONFIGLIB_DIR, `${script}.py`), ...a], {
      cwd: dir,
      env: baseEnv({ srctree: dir, KCONFIG_CONFIG_HEADER: '', ...c.env }),
      input: c.stdin ?? '',
      encoding: 'latin1',
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  let r;
  switch (c.mode) {
    case 'savedefconfig':
      r = py('savedefconfig', '--kconfig', 'Kconfig', '--out', 'defconfig.out');
      break;
    case 'defconfig':
      r = py('defconfig', '--kconfig', 'Kconfig', c.defconfig!);
      break;
    default:
      r = py(c.mode, 'Kconfig');
  }
  return result(c, dir, r.status, r.stdout, r.stderr, 'kconfiglib');
}

export async function runOurs(c: Case, against: RefTool): Promise<Run> {
  const dir = prepare(c);
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: c.stdin ?? '',
    env: baseEnv({ srctree: against === 'frontends' ? '.' : dir, ...(against === 'frontends' ? { HVCC_KCONFIG_COMPAT: 'linux-4.11' } : {}), ...c.env }),
    cwd: dir,
  };
  if (c.mode === 'syncconfig') await conf({ mode: 'olddefconfig', kconfig: 'Kconfig' }, { ...io, stdout: { write: () => true }, stderr: { write: () => true } });
  const status = await conf(
    {
      mode: c.mode,
      kconfig: 'Kconfig',
      ...(c.mode === 'savedefconfig' ? { file: 'defconfig.out' } : c.mode === 'defconfig' ? { file: c.defconfig! } : {}),
    },
    io,
  );
  return result(c, dir, status, stdout, stderr, against === 'frontends' ? 'ours-vs-frontends' : 'ours-vs-kconfiglib');
}

export function fixtureFiles(fixture: string, prefix: string): string[] {
  return fs
    .readdirSync(path.join(fixturesRoot(), fixture))
    .filter((f) => f.startsWith(prefix))
    .sort();
}

export { execFileSync };
