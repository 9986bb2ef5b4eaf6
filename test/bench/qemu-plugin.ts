/**
 * QEMU TCG plugins for `npm run bench`, built here: Debian ships no plugin binaries and no qemu-plugin.h.
 * The header (GPL-2.0-or-later, not kept in this repository) comes from the installed QEMU's own Debian
 * source package (apt-get source --download-only, private apt state) into the cache folder; each plugin is
 * built with gcc against it and cached by the hash of its source and the header.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';

export const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'hvcc');

/** The folder holding qemu-plugin.h of the installed qemu-system-arm's source version, fetched once. */
export function pluginHeaderDir(): string {
  const dir = join(cacheRoot, 'qemu-plugin');
  const header = join(dir, 'include', 'qemu-plugin.h');
  if (existsSync(header)) return join(dir, 'include');
  mkdirSync(join(dir, 'apt', 'lists', 'partial'), { recursive: true });
  mkdirSync(join(dir, 'apt', 'cache', 'archives', 'partial'), { recursive: true });
  // The source version of the installed qemu-system-arm (a binNMU's binary version differs from it).
  const version = execFileSync('dpkg-query', ['-W', '-f=${source:Version}', 'qemu-system-arm'], { encoding: 'utf8' }).trim();
  const list = join(dir, 'apt', 'sources.list');
  writeFileSync(
    list,
    ['bookworm', 'bookworm-updates'].map((s) => `deb-src http://deb.debian.org/debian ${s} main\n`).join('') + 'deb-src http://deb.debian.org/debian-security bookworm-security main\n',
  );
  const opts = [
    '-q', `-oDir::Etc::SourceList=${list}`, '-oDir::Etc::SourceParts=/dev/null', `-oDir::State::Lists=${join(dir, 'apt', 'lists')}`,
    `-oDir::Cache=${join(dir, 'apt', 'cache')}`, '-oDebug::NoLocking=1', '-oAPT::Sandbox::User=root',
  ];
  const src = join(dir, 'src');
  mkdirSync(src, { recursive: true });
  execFileSync('apt-get', [...opts, 'update'], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('apt-get', [...opts, 'source', '--download-only', `qemu=${version}`], { cwd: src, stdio: ['ignore', 'ignore', 'inherit'] });
  const orig = readdirSync(src).find((f) => /\.orig\.tar\.\w+$/.test(f));
  if (!orig) throw new Error(`no qemu orig tarball in ${src}`);
  mkdirSync(join(dir, 'include'), { recursive: true });
  execFileSync('tar', ['-xf', join(src, orig), '-C', join(dir, 'include'), '--wildcards', '--strip-components=3', '*/include/qemu/qemu-plugin.h']);
  rmSync(src, { recursive: true, force: true });
  return join(dir, 'include');
}

/** The plugin built from `source` (a .c file), from the cache when its source and the header are unchanged. */
export function buildPlugin(source: string): string {
  const include = pluginHeaderDir();
  const hash = createHash('sha256').update(readFileSync(source)).update('\0').update(readFileSync(join(include, 'qemu-plugin.h'))).digest('hex').slice(0, 16);
  const so = join(cacheRoot, 'qemu-plugin', `${basename(source, '.c')}-${hash}.so`);
  if (existsSync(so)) return so;
  const tmp = `${so}.${process.pid}.tmp`;
  execFileSync('gcc', ['-shared', '-fPIC', '-O2', '-Wall', '-Wextra', '-I', include, source, '-o', tmp]);
  renameSync(tmp, so);
  return so;
}
