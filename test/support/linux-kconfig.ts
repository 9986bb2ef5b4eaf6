/**
 * Linux 6.1's own Kconfig, as the reference for hvcc's: the Kconfig trees of the kernel (every Kconfig file,
 * the scripts they run, the architectures' defconfigs) extracted from Debian's linux-source-6.1 tarball
 * (/usr/src/linux-source-6.1.tar.xz, which bootstrap.sh installs), and `scripts/kconfig/conf` built from it
 * with flex, bison and gcc — cached under $HVCC_CACHE_DIR (default ~/.cache/hvcc)/linux-kconfig/<the
 * tarball's SHA-256>/, so it is done once per tarball. bootstrap.sh runs this (`node
 * dist/test/support/linux-kconfig.js`); the differential tests call `prepareLinuxKconfig()` in their set-up,
 * which does nothing when the cache is there and fails (never skips) when the tarball or a tool is missing.
 *
 * `referenceRun()` runs Linux's conf once for a mode, architecture and environment and caches the folder it
 * leaves (.config, include/...), keyed by conf's binary, the arguments and the environment.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const TARBALL = '/usr/src/linux-source-6.1.tar.xz';
const TOP = 'linux-source-6.1';

export interface LinuxKconfig {
  /** The kernel source tree (Kconfig files, scripts/, arch/*\/configs/). */
  src: string;
  /** Linux 6.1's scripts/kconfig/conf, built from that tree. */
  conf: string;
  /** Where reference outputs are cached. */
  refs: string;
}

function cacheRoot(): string {
  return process.env['HVCC_CACHE_DIR'] ?? join(homedir(), '.cache', 'hvcc');
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The tarball's hash, remembered next to the cache by the tarball's size and mtime (hashing takes a second). */
async function tarballHash(): Promise<string> {
  const st = statSync(TARBALL);
  const memo = join(cacheRoot(), 'linux-kconfig', `tarball-${st.size}-${Math.trunc(st.mtimeMs)}.sha256`);
  if (existsSync(memo)) return readFileSync(memo, 'utf8').trim();
  const hash = await sha256File(TARBALL);
  mkdirSync(join(cacheRoot(), 'linux-kconfig'), { recursive: true });
  writeFileSync(memo, hash + '\n');
  return hash;
}

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  if (r.error) throw new Error(`linux-kconfig: cannot run ${cmd} (${r.error.message}): bootstrap.sh installs it`);
  if (r.status !== 0) throw new Error(`linux-kconfig: ${cmd} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.toString().slice(-2000)}`);
}

/** Extracts the Kconfig trees and builds conf, once per tarball. */
export async function prepareLinuxKconfig(): Promise<LinuxKconfig> {
  if (!existsSync(TARBALL)) throw new Error(`linux-kconfig: ${TARBALL} is missing: run ./bootstrap.sh (it installs Debian's linux-source-6.1)`);
  const dir = join(cacheRoot(), 'linux-kconfig', (await tarballHash()).slice(0, 16));
  const result = { src: join(dir, TOP), conf: join(dir, 'conf', 'conf'), refs: join(dir, 'refs') };
  if (existsSync(join(dir, 'done'))) return result;
  mkdirSync(join(cacheRoot(), 'linux-kconfig'), { recursive: true });
  const work = mkdtempSync(`${dir}.work-`);
  try {
    run('tar', ['-xJf', TARBALL, '--wildcards', `${TOP}/scripts/*`, '*Kconfig*', `${TOP}/arch/*/configs/*`, `${TOP}/Makefile`], work);
    const k = join(work, TOP, 'scripts', 'kconfig');
    const out = join(work, 'conf');
    mkdirSync(out);
    // As scripts/Makefile.host runs them: bison -t -l, flex -L, then the host compiler.
    run('bison', ['-o', 'parser.tab.c', '--defines=parser.tab.h', '-t', '-l', join(k, 'parser.y')], out);
    run('flex', ['-o', 'lexer.lex.c', '-L', join(k, 'lexer.l')], out);
    run('gcc', ['-O2', '-I', '.', '-I', k, '-o', 'conf', ...['conf.c', 'confdata.c', 'expr.c', 'menu.c', 'preprocess.c', 'symbol.c', 'util.c'].map((f) => join(k, f)), 'lexer.lex.c', 'parser.tab.c'], out);
    writeFileSync(join(work, 'done'), `${new Date().toISOString()}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    // Another process may have finished first.
    if (existsSync(join(dir, 'done'))) return result;
    throw e;
  }
  return result;
}

/** The environment the kernel's Makefile gives conf, for one architecture (ARCH as `make ARCH=...` takes it). */
export function kbuildEnv(lk: LinuxKconfig, arch: string, extra: Record<string, string> = {}): Record<string, string> {
  const srcarch = arch === 'x86_64' || arch === 'i386' ? 'x86' : arch;
  return { PATH: '/usr/bin:/bin', srctree: lk.src, ARCH: arch, SRCARCH: srcarch, KERNELVERSION: '6.1.0', CC: 'gcc', LD: 'ld', HOSTCC: 'gcc', HOSTCXX: 'g++', ...extra };
}

export interface ConfRun {
  dir: string;
  stdout: string;
  stderr: string;
  status: number;
}

/**
 * Linux's conf with `args` and `env` in a folder seeded with `files` (a previous .config, say); the folder
 * as it left it, cached. Returns a fresh copy the caller may change.
 */
export function referenceRun(lk: LinuxKconfig, args: string[], env: Record<string, string>, files: Record<string, string> = {}, into: string): ConfRun {
  const key = createHash('sha256').update(readFileSync(lk.conf)).update(JSON.stringify({ args, env, files })).digest('hex').slice(0, 24);
  const cached = join(lk.refs, key);
  if (!existsSync(join(cached, '.run.json'))) {
    mkdirSync(lk.refs, { recursive: true });
    const work = mkdtempSync(`${cached}.work-`);
    const tree = join(work, 'tree');
    mkdirSync(tree);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(tree, name), text, 'latin1');
    const r = spawnSync(lk.conf, [...args, 'Kconfig'], { cwd: tree, env, maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
    writeFileSync(join(work, '.run.json'), JSON.stringify({ stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString('latin1'), status: r.status }));
    rmSync(cached, { recursive: true, force: true });
    renameSync(work, cached);
  }
  const meta = JSON.parse(readFileSync(join(cached, '.run.json'), 'utf8')) as { stdout: string; stderr: string; status: number };
  rmSync(into, { recursive: true, force: true });
  cpSync(join(cached, 'tree'), into, { recursive: true, preserveTimestamps: true });
  return { dir: into, ...meta };
}

// `node dist/test/support/linux-kconfig.js`: prepare (bootstrap.sh runs it).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const lk = await prepareLinuxKconfig();
  console.log(`linux-kconfig: ${lk.src} and ${lk.conf}`);
}
