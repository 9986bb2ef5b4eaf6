/**
 * A cold reset from the management terminal while the host reads the console slowly. The UART's writes then
 * block in QEMU, and the terminal's pCPU can be held up anywhere in the reset it asked for, while the
 * guest's own pCPUs carry the reset out and start the guest again. The guest must come back every time.
 * It used to fault on its first instruction ("fetched instructions outside its memory at IPA 0x40000000"),
 * because the terminal withdrew the guest's stage-2 mappings only after the restart had already finished
 * (runtime/core/src/manage.c). CI once saw that with Linux; here a slow reader makes it happen on demand.
 *
 * QEMU is started directly, not through `hvcc run`, because `hvcc run` reads QEMU as fast as it can: only a
 * reader of QEMU's own output can make it wait.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { screenText } from './console-session.js';
import { buildExampleGuests, hvcc, root, tempDir } from './harness.js';

const SYSTEM = join(root, 'test/fixtures/systems/reset-race/system.dts');
const RESETS = 30;
/** The reader takes at most this much at a time and then waits: QEMU's output backs up behind it. */
const READ_CHUNK = 1024;
const READ_PAUSE_MS = 5;

const running: ChildProcess[] = [];

beforeAll(() => buildExampleGuests());
afterAll(() => {
  for (const q of running) if (q.exitCode === null) q.kill('SIGKILL');
});

interface Console {
  send(text: string): void;
  /** Resolves with the first hypervisor or `quick` line matching `re` after line `from`. */
  line(re: RegExp, from: number): Promise<number>;
  lines(): string[];
  done: Promise<number | null>;
}

function slowConsole(image: string): Console {
  const qemu = spawn('qemu-system-aarch64', ['-M', 'virt,virtualization=on,gic-version=3', '-cpu', 'cortex-a57', '-smp', '4', '-m', '1024M', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-nic', 'none', '-kernel', image], { stdio: ['pipe', 'pipe', 'inherit'] });
  const kept: string[] = [];
  let rest = '';
  qemu.stdout.setEncoding('latin1');
  qemu.stdout.on('readable', function read() {
    const chunk = qemu.stdout.read(READ_CHUNK) as string | null ?? qemu.stdout.read() as string | null;
    if (chunk === null) return;
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    // As a screen shows them (the terminal's prompt is erased before a guest's line); flood's own lines
    // are only the load, what is asserted is the hypervisor's and quick's.
    for (const l of parts.map((p) => screenText(p).replace(/\r/g, ''))) if (!l.startsWith('[flood]')) kept.push(l);
    setTimeout(read, READ_PAUSE_MS);
  });
  const done = new Promise<number | null>((resolve) => qemu.on('exit', (code) => resolve(code)));
  running.push(qemu);
  return {
    send: (text) => qemu.stdin.write(text),
    lines: () => kept,
    done,
    line: async (re, from) => {
      const start = Date.now();
      for (;;) {
        const at = kept.findIndex((l, i) => i >= from && re.test(l));
        if (at >= 0) return at;
        if (Date.now() - start > 60_000) throw new Error(`not seen within 60 s: ${re}\n${kept.slice(-30).join('\n')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

describe('cold resets from the terminal, with the console backed up', () => {
  test(`a two-vCPU guest reset ${RESETS} times comes back every time`, async () => {
    const out = tempDir('reset-race');
    const built = hvcc(['build', SYSTEM, '-O', out]);
    expect(built.status).toBe(0);
    const c = slowConsole(join(out, 'hypervisor.elf'));

    let at = await c.line(/^\[quick\] Hello from echo!/, 0);
    c.send('\x01t');
    at = await c.line(/^\[hv\] console: management terminal/, at);
    for (let i = 0; i < RESETS; i++) {
      c.send('guest reset quick\r');
      at = await c.line(/^\[hv\] guest 'quick' restarting \(RAM cleared, image reloaded\)$/, at + 1);
      at = await c.line(/^\[quick\] Hello from echo!|^\[hv\] guest 'quick' stopped/, at + 1);
      expect(c.lines()[at]).toMatch(/^\[quick\] Hello from echo!/);
    }
    c.send('\x01x');
    expect(await c.done).toBe(0);

    const hv = c.lines().filter((l) => l.startsWith('[hv] '));
    expect(hv.filter((l) => /^\[hv\] guest 'quick' restarting/.test(l))).toHaveLength(RESETS);
    expect(hv.filter((l) => / stopped/.test(l))).toEqual([]);
    expect(c.lines().filter((l) => /^\[quick\] Hello from echo!/.test(l))).toHaveLength(RESETS + 1);
  }, 300_000);
});
