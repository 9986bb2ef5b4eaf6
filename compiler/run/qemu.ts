import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { Board } from '../../schemas/model.js';
import type { ArchBackend } from '../arch/backend.js';
import { MiB } from '../util/ranges.js';

/**
 * The QEMU command line for a board: the architecture backend names QEMU's program, machine and CPU model;
 * the CPU count and RAM size come from the description itself.
 */
export interface QemuCommand {
  program: string;
  args: string[];
}

export function qemuCommand(board: Board, arch: ArchBackend, image: string, extraArgs: readonly string[] = []): QemuCommand | { error: string } {
  const machine = arch.qemu(board);
  if ('error' in machine) return machine;
  const ramMiB = board.memory.reduce((a, r) => a + r.size, 0n) / MiB;
  return {
    program: machine.program,
    args: ['-M', machine.machine.join(','), '-cpu', machine.cpu, '-smp', String(board.cpus.length), '-m', `${ramMiB}M`, '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-nic', 'none', '-kernel', image, ...extraArgs],
  };
}

export type RunOutcome = { kind: 'powered-off' } | { kind: 'exited'; code: number | null; signal: string | null } | { kind: 'timeout' } | { kind: 'panic'; line: string };

/** The line the runtime prints when the hypervisor itself fails. */
export const PANIC_MARKER = '[hv] PANIC';

/**
 * Boots the image and streams the serial console to `onOutput`. The outcome is 'powered-off' when the
 * hypervisor turned the machine off (QEMU exits 0), 'panic' as soon as the panic marker appears.
 */
export function runQemu(
  command: QemuCommand,
  options: {
    /** 0: no limit. */
    timeoutSeconds: number;
    onOutput: (chunk: string) => void;
    /** Connects QEMU's standard input (its serial port's receive side); returns what disconnects it. */
    attachInput?: (stdin: Writable, kill: () => void) => () => void;
  },
): Promise<RunOutcome> {
  return new Promise((resolveOutcome) => {
    const child = spawn(command.program, command.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    // QEMU must not outlive hvcc: not when hvcc is interrupted, nor when its output is cut short (| head).
    const stop = () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    };
    const onSignal = () => {
      stop();
      process.exit(130);
    };
    process.once('exit', stop);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.stdout.once('error', stop);
    // Without input, the serial port reads end-of-file at once, as from /dev/null.
    const detach = options.attachInput ? options.attachInput(child.stdin, stop) : (child.stdin.end(), undefined);
    child.once('close', () => {
      detach?.();
      process.off('exit', stop);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.stdout.off('error', stop);
    });
    let settled: RunOutcome | undefined;
    let pending = '';
    const finish = (o: RunOutcome) => {
      if (settled) return;
      settled = o;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
    };
    const timer = options.timeoutSeconds > 0 ? setTimeout(() => finish({ kind: 'timeout' }), options.timeoutSeconds * 1000) : undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      options.onOutput(chunk);
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      const panic = lines.find((l) => l.includes(PANIC_MARKER));
      if (panic) finish({ kind: 'panic', line: panic.trim() });
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => options.onOutput(chunk));
    child.on('error', (e) => {
      finish({ kind: 'exited', code: null, signal: e.message });
    });
    child.on('close', (code, signal) => {
      if (!settled) settled = code === 0 ? { kind: 'powered-off' } : { kind: 'exited', code, signal };
      clearTimeout(timer);
      resolveOutcome(settled);
    });
  });
}
