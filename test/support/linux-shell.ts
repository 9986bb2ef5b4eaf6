/**
 * A system whose Linux guest boots to an interactive busybox shell on its console (the Linux example's
 * kernel, an initramfs whose /init prints `LINUX_SHELL_READY: <n> CPUs` and starts `setsid cttyhack sh`),
 * beside the bare-metal echo guest, with the management terminal: what the console tests and the console
 * benchmark type into.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const LINUX_SHELL_READY = 'HVCC-CONSOLE-READY';

/** Writes the system into `work` (prepare.mjs fetches the kernel first) and returns its system.dts. */
export async function linuxShellSystem(work: string, options: { applets: string[]; prepareOutput: 'inherit' | 'ignore' }): Promise<string> {
  const prepare = join(root, 'examples', 'linux-guest', 'prepare.mjs');
  const out = execFileSync(process.execPath, [prepare], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', options.prepareOutput], timeout: 600_000 });
  const prepared = JSON.parse(out.trim().split('\n').pop()!) as { busybox: string };
  const { initramfs } = (await import(pathToFileURL(prepare).href)) as { initramfs: (busybox: string, init: string, extra: { applets: string[] }) => Buffer };
  const init = [
    '#!/bin/sh',
    'mount -t proc proc /proc',
    'mount -t sysfs sysfs /sys',
    'mount -t devtmpfs devtmpfs /dev',
    `echo "${LINUX_SHELL_READY}: $(grep -c ^processor /proc/cpuinfo) CPUs"`,
    'exec setsid cttyhack sh',
    '',
  ].join('\n');
  writeFileSync(join(work, 'shell.cpio.gz'), initramfs(prepared.busybox, init, { applets: ['setsid', 'cttyhack', ...options.applets] }));
  writeFileSync(
    join(work, 'system.dts'),
    readFileSync(join(root, 'examples', 'linux-guest', 'system.dts'), 'utf8')
      .replace('"../../boards/', `"${root}/boards/`)
      .replace('"build/Image"', `"${root}/examples/linux-guest/build/Image"`)
      .replace('"build/initramfs.cpio.gz"', `"${work}/shell.cpio.gz"`)
      .replace('"../guests/build/hello-alpha.elf"', `"${root}/examples/guests/build/echo.elf"`),
  );
  writeFileSync(join(work, 'defconfig'), 'CONFIG_HV_MAX_CPUS=4\nCONFIG_HV_TERMINAL=y\n');
  return join(work, 'system.dts');
}
