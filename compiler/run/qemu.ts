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

/**
 * How the hypervisor's own console lines start. Guest output is printed as "[name] ..." with a name that is
 * never "hv" (HV3044), and with every control character made visible (runtime/core/src/console.c), so a
 * line that starts with this can only be the hypervisor's: its status is read from line starts, never from
 * text anywhere in a line (docs/isolation.md).
 */
export const HYPERVISOR_PREFIX = '[hv] ';

/** The start of the line the runtime prints when the hypervisor itself fails. */
export const PANIC_MARKER = `${HYPERVISOR_PREFIX}PANIC:`;

/**
 * One console line as the hypervisor framed it. A line printed over the focused guest's unfinished one
 * (once console input has arrived) begins by erasing that one, `\r ESC [K`, which is not part of it.
 */
export function consoleLine(raw: string): string {
  return raw.slice(raw.lastIndexOf('\r') + 1).replace(/^\x1b\[K/, '');
}

/**
 * The hypervisor's status line in one console line, or undefined when the line is not the hypervisor's.
 * A stopped guest's `fault` says whether a fault stopped it: not when it powered off, nor when it turned its
 * last vCPU off itself (docs/isolation.md).
 */
export function hypervisorStatus(line: string): { kind: 'starting' | 'panic' | 'powering-off' | 'guest-stopped' | 'other'; line: string; fault?: boolean } | undefined {
  if (!line.startsWith(HYPERVISOR_PREFIX)) return undefined;
  if (line.startsWith(PANIC_MARKER)) return { kind: 'panic', line };
  if (line.startsWith(`${HYPERVISOR_PREFIX}hvcc hypervisor starting: `)) return { kind: 'starting', line };
  if (/^\[hv\] (all guests have stopped|no guests to run), powering off$/.test(line)) return { kind: 'powering-off', line };
  const stopped = /^\[hv\] guest '[^']+' (stopped: (no vCPU left on )?|powered off )/.exec(line);
  if (stopped) return { kind: 'guest-stopped', line, fault: stopped[1]!.startsWith('stopped:') && stopped[2] === undefined };
  return { kind: 'other', line };
}

/**
 * Boots the image and streams the serial console to `onOutput`. The outcome is 'powered-off' when the
 * hypervisor turned the machine off (QEMU exits 0), 'panic' as soon as a line starts with the panic marker.
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
      const panic = lines.map(consoleLine).find((l) => hypervisorStatus(l)?.kind === 'panic');
      if (panic) finish({ kind: 'panic', line: panic });
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
