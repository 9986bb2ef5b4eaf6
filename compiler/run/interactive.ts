import type { Writable } from 'node:stream';
import { escapeKeyName } from '../console/escape-key.js';
import { consoleLine, hypervisorStatus } from './qemu.js';

/**
 * `hvcc run`'s side of the console: its standard input goes to the machine's serial port, whose far end is
 * the hypervisor's console (the escape key, switching, the terminal: all in the hypervisor, see
 * docs/console.md). On a terminal, the terminal is put in raw mode so that every key reaches the machine
 * as typed (Ctrl-C included: it is the guest's), and restored on every way out: the run ending, an
 * exception, a signal. A pipe works too: its bytes are passed on as they come, and its end is passed on.
 *
 * What comes before the hypervisor runs is held back until it says it has started (`release()`): setting
 * up its UART can empty the UART's receive FIFO (turning the FIFO on does, on some UARTs), and a session
 * piped in at once would lose its first bytes, often the escape key, there. QEMU takes no more than the
 * FIFO holds, so what is passed on after that waits in the pipe until the hypervisor reads it.
 */

/** How long QEMU may take to power off after the escape key and x before it is stopped from here. */
const POWER_OFF_GRACE_MS = 5000;

export interface Attachment {
  /** Stops forwarding and restores the terminal. Idempotent. */
  detach: () => void;
  /** Passes on what was held back, and from then on everything as it comes. Idempotent. */
  release: () => void;
}

export interface AttachOptions {
  /** Where the bytes go: QEMU's standard input (its -serial stdio). */
  sink: Writable;
  /** The description's escape key: the escape key then x powers off, and if the hypervisor cannot, this does. */
  escapeKey: number;
  /** Stops QEMU (SIGKILL). */
  kill: () => void;
  input?: NodeJS.ReadStream;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 } as const;

export function attachConsole(options: AttachOptions): Attachment {
  const input = options.input ?? process.stdin;
  const tty = Boolean(input.isTTY) && typeof input.setRawMode === 'function';
  let attached = true;
  let escape = false;
  let grace: NodeJS.Timeout | undefined;
  let held: Buffer[] | undefined = [];
  let ended = false;

  const restore = () => {
    if (tty && input.isRaw) input.setRawMode(false);
  };
  const onData = (chunk: Buffer) => {
    for (const byte of chunk) {
      if (escape && (byte === 0x78 || byte === 0x58) && !grace) {
        // The hypervisor powers the machine off; if it is wedged, QEMU is stopped from here instead.
        grace = setTimeout(options.kill, POWER_OFF_GRACE_MS);
        grace.unref();
      }
      escape = !escape && byte === options.escapeKey;
    }
    if (held) held.push(chunk);
    else if (!options.sink.destroyed) options.sink.write(chunk);
  };
  const onEnd = () => {
    ended = true;
    if (!held && !options.sink.destroyed) options.sink.end();
  };
  const onSignal = (signal: (typeof SIGNALS)[number]) => {
    restore();
    options.kill();
    process.exit(128 + SIGNAL_NUMBERS[signal]);
  };
  const handlers = SIGNALS.map((s) => [s, () => onSignal(s)] as const);

  // A QEMU that is gone (powered off) closes its end: writing on is not an error worth a crash.
  options.sink.on('error', () => {});
  if (tty) {
    input.setRawMode(true);
    process.stderr.write(`hvcc: console attached; ${escapeKeyName(options.escapeKey)} h for help, ${escapeKeyName(options.escapeKey)} x to power off\r\n`);
  }
  process.on('exit', restore);
  for (const [s, h] of handlers) process.on(s, h);
  input.on('data', onData);
  input.on('end', onEnd);
  input.resume();

  return {
    release: () => {
      if (!held) return;
      const chunks = held;
      held = undefined;
      if (options.sink.destroyed) return;
      if (chunks.length > 0) options.sink.write(Buffer.concat(chunks));
      if (ended) options.sink.end();
    },
    detach: () => {
      if (!attached) return;
      attached = false;
      if (grace) clearTimeout(grace);
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause();
      for (const [s, h] of handlers) process.off(s, h);
      restore();
      process.off('exit', restore);
    },
  };
}

/**
 * Watches the console's lines for the hypervisor's start (`onStart`, once) and its reports of guests it
 * stopped for a fault ("[hv] guest 'NAME' stopped: vCPU ..."), which `hvcc run` turns into its exit status.
 */
export class ConsoleWatcher {
  readonly faults: string[] = [];
  private pending = '';
  private started = false;

  constructor(private readonly onStart: () => void = () => {}) {}

  feed(chunk: string): void {
    this.pending += chunk;
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines.map(consoleLine)) {
      const status = hypervisorStatus(line);
      if (status?.fault) this.faults.push(line.trim());
      if (status?.kind === 'starting' && !this.started) {
        this.started = true;
        this.onStart();
      }
    }
  }
}
