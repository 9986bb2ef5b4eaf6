/**
 * `npm run bench`, consoles: keystroke-to-echo latency (wall time from a byte written to `hvcc run`'s
 * standard input to that byte appearing on its standard output, echoed by the guest), for the Linux
 * guest's shell (its tty echoes, the UART's interrupt reaches the hypervisor through the GIC) and for the
 * bare-metal echo guest with the console's interrupt and polled; and the image's size with and without
 * the management terminal.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { LINUX_SHELL_READY, linuxShellSystem } from '../support/linux-shell.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const KEYS = Number(process.env.HVCC_BENCH_KEYS ?? 40);
const READY = LINUX_SHELL_READY;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]!;
}

/** Boots a system, waits for `ready`, then times KEYS keystrokes (each waits for its own echo). */
async function latency(system: string, out: string, ready: RegExp, prepare: string, extra: string[] = []): Promise<number[]> {
  const child = spawn(process.execPath, [join(root, 'bin', 'hvcc.js'), 'run', system, '-O', out, '--timeout', '600', ...extra], { cwd: root, stdio: ['pipe', 'pipe', 'ignore'] });
  let text = '';
  let onData: (() => void) | undefined;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    text += d;
    onData?.();
  });
  const waitFor = (test: () => boolean, ms: number) =>
    new Promise<void>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; the output ends:\n${text.slice(-2000)}`)), ms);
      const check = () => {
        if (test()) {
          clearTimeout(timer);
          onData = undefined;
          resolvePromise();
        }
      };
      onData = check;
      check();
    });
  try {
    await waitFor(() => ready.test(text), 600_000);
    child.stdin.write(prepare);
    await new Promise((r) => setTimeout(r, 2000));
    const samples: number[] = [];
    for (let i = 0; i < KEYS; i++) {
      const key = String.fromCharCode(0x61 + (i % 26));
      const from = text.length;
      const start = process.hrtime.bigint();
      child.stdin.write(key);
      await waitFor(() => text.indexOf(key, from) >= 0, 30_000);
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
      // Every few keys, end the line so the guest's line stays short.
      if (i % 10 === 9) {
        child.stdin.write('\x15');
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return samples;
  } finally {
    child.stdin.write('\x01x');
    await new Promise((r) => setTimeout(r, 3000));
    if (child.exitCode === null) child.kill('SIGTERM');
  }
}

function figures(name: string, ms: number[]): string {
  return `  ${name}: median ${median(ms).toFixed(1)} ms, 90th percentile ${percentile(ms, 90).toFixed(1)} ms, min ${Math.min(...ms).toFixed(1)}, max ${Math.max(...ms).toFixed(1)} (${ms.length} keys)`;
}

function loadedSizes(elf: string): Map<string, number> {
  const out = execFileSync('llvm-readelf-14', ['-S', '-W', elf], { encoding: 'utf8' });
  const sizes = new Map<string, number>();
  for (const line of out.split('\n')) {
    const m = /\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+\S+\s+\S*A\S*/.exec(line);
    if (m) sizes.set(m[1]!, Number.parseInt(m[2]!, 16));
  }
  return sizes;
}

async function linuxSystem(work: string): Promise<string> {
  return linuxShellSystem(work, { applets: [], prepareOutput: 'ignore' });
}

export async function benchConsoles(): Promise<string[]> {
  execFileSync('make', ['-s', '-C', join(root, 'examples', 'guests')]);
  const work = mkdtempSync(join(tmpdir(), 'hvcc-bench-consoles-'));
  const lines = ['Consoles (keystroke to echo: wall time from the byte into hvcc run to the byte out of it)'];
  try {
    const linux = await linuxSystem(work);
    lines.push(figures('Linux guest shell (tty echo; UART interrupt via the GIC)', await latency(linux, join(work, 'linux'), new RegExp(`\\[linux\\] ${READY}`), '\r')));
    const consoles = join(root, 'examples', 'consoles', 'system.dts');
    lines.push(figures('bare-metal echo guest, console interrupt (terminal linked)', await latency(consoles, join(work, 'irq'), /\[echo\] Hello from echo!/, '\r')));
    const polled = join(work, 'polled.config');
    writeFileSync(polled, 'CONFIG_HV_MAX_CPUS=4\n# CONFIG_HV_TERMINAL is not set\n');
    lines.push(figures('bare-metal echo guest, console polled (no terminal)', await latency(consoles, join(work, 'polled'), /\[echo\] Hello from echo!/, '\r', ['--config', polled])));

    // Size: the same system with and without the terminal (and the interrupt controller driver it brings).
    const on = loadedSizes(join(work, 'irq', 'hypervisor.elf'));
    const off = loadedSizes(join(work, 'polled', 'hypervisor.elf'));
    const code = (m: Map<string, number>) => (m.get('.text') ?? 0) + (m.get('.rodata') ?? 0) + (m.get('.data') ?? 0);
    lines.push('  image of examples/consoles, loaded sections (guest images are in .guest_images, not counted; whole translation tables are in .bss, their valid entries in .rodata):');
    for (const [name, m] of [['with the terminal', on], ['without it', off]] as const) {
      lines.push(`    ${name}: .text ${m.get('.text') ?? 0} B, .rodata ${m.get('.rodata') ?? 0} B, .data ${m.get('.data') ?? 0} B, .bss ${m.get('.bss') ?? 0} B; .text+.rodata+.data ${code(m)} B`);
    }
    lines.push(`    the terminal, its command groups and the GICv3 driver it needs: +${code(on) - code(off)} B (+${(on.get('.text') ?? 0) - (off.get('.text') ?? 0)} B of code)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return lines;
}
