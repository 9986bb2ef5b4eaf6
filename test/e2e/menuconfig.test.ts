import { afterAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, tempDir } from './harness.js';

/** `hvcc menuconfig` as a person uses it: in a real terminal (tmux), keys typed, the screen read back. */
const session = `hvcc-menuconfig-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-t', session, '-p');

async function waitUntil(what: string, ok: (screen: string) => boolean, timeoutMs = 10_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = screen();
    if (ok(s)) return s;
    if (Date.now() > end) throw new Error(`the screen never ${what}; it shows:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const waitFor = (text: string) => waitUntil(`showed ${JSON.stringify(text)}`, (s) => s.includes(text));

afterAll(() => {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    // already gone
  }
});

describe('hvcc menuconfig', () => {
  test('browse to an emulator, read its help, switch it off, save, and the .config says so', async () => {
    const dir = tempDir('menuconfig');
    tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', `cd ${dir} && node ${join(root, 'bin', 'hvcc.js')} menuconfig -O ${dir}; echo "menuconfig exited $?"; sleep 60`);
    let s = await waitFor('Guest device emulators');
    expect(s).toContain('hvcc hypervisor configuration');
    expect(s).toMatch(/\(8\) Maximum number of physical CPUs/);

    // Down to "Guest device emulators", into it, onto the PL011 emulator.
    const lines = s.split('\n');
    const from = lines.findIndex((l) => l.startsWith('>'));
    const to = lines.findIndex((l) => l.includes('Guest device emulators'));
    tmux('send-keys', '-t', session, ...Array<string>(to - from).fill('Down'), 'Enter');
    s = await waitFor('→ Guest device emulators');
    // Other emulators may come first in the menu (its entries follow the folders' order): go down to it.
    const entries = s.split('\n');
    const pl011 = entries.findIndex((l) => l.includes('Emulated ARM PL011 UART for guests')) - entries.findIndex((l) => l.startsWith('>'));
    if (pl011 > 0) tmux('send-keys', '-t', session, ...Array<string>(pl011).fill('Down'));
    s = await waitFor('> [*] Emulated ARM PL011 UART for guests');
    expect(s).toMatch(/> \[\*\] Emulated ARM PL011 UART for guests/);

    tmux('send-keys', '-t', session, '?');
    s = await waitFor('Symbol: HV_EMULATOR_PL011');
    expect(s).toMatch(/Defined at .*runtime\/emulators\/pl011\/Kconfig:\d+/);

    tmux('send-keys', '-t', session, 'Escape');
    await waitFor('> [*] Emulated ARM PL011 UART for guests');
    tmux('send-keys', '-t', session, 'Space');
    await waitFor('> [ ] Emulated ARM PL011 UART for guests');
    expect(screen()).toContain('[modified]');
    tmux('send-keys', '-t', session, 'S');
    await waitUntil('dropped [modified] after saving', (x) => !x.includes('[modified]'));
    tmux('send-keys', '-t', session, 'Q');
    await waitFor('menuconfig exited 0');
    const config = readFileSync(join(dir, '.config'), 'utf8');
    expect(config).toContain('# CONFIG_HV_EMULATOR_PL011 is not set');
    expect(config).toContain('CONFIG_HV_DRIVER_PL011=y');
  });
});
