import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './harness.js';

/**
 * Driving `hvcc run` as a user does, through its console: over a pipe (what CI has) or through a real
 * terminal (a tmux pane: a pty, raw mode and all), sending keys and waiting for what must appear.
 */

export const CTRL_A = '\x01';

const POLL_MS = 20;

async function until<T>(what: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
  const start = Date.now();
  for (;;) {
    const found = what();
    if (found !== undefined) return found;
    if (Date.now() - start > timeoutMs) throw new Error(`not seen within ${timeoutMs} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Raw console output as lines on a screen: what an erase (\r ESC [K) removed is gone, "\r\n" is "\n". */
export function screenText(raw: string): string {
  return raw.replace(/\r+\n/g, '\n').replace(/[^\n]*\r\x1b\[K/g, '');
}

function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** `hvcc run ARGS` with its standard input and output pipes. */
export class PipeSession {
  err = '';
  /** The output's complete lines as a screen shows them (screenText), and the raw rest after the last. */
  private readonly lines: string[] = [];
  private rest = '';
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly closed: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [join(root, 'bin', 'hvcc.js'), 'run', ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (d: string) => {
      // Line by line as it comes, so that a guest printing megabytes costs each look only what is new.
      const parts = (this.rest + d).split('\n');
      this.rest = parts.pop()!;
      for (const raw of parts) this.lines.push(screenText(`${raw}\n`).slice(0, -1));
    });
    this.child.stderr.on('data', (d: string) => (this.err += d));
    this.closed = new Promise((resolve) =>
      this.child.on('close', (code) => {
        this.ended = true;
        resolve(code);
      }),
    );
  }

  private ended = false;

  /** The output as lines on a screen (see screenText), from line `from` on. */
  text(from = 0): string {
    return this.lines.slice(from).join('\n') + (this.lines.length > from ? '\n' : '') + screenText(this.rest);
  }

  /** Where the output is now (its complete lines): expect() after it finds only what comes later. */
  mark(): number {
    return this.lines.length;
  }
  send(text: string): void {
    this.child.stdin.write(text);
  }

  /** Sends a line as Enter ends it on a terminal (a carriage return). */
  line(text: string): void {
    this.send(`${text}\r`);
  }

  async expect(pattern: RegExp, options: { from?: number; timeoutMs?: number } = {}): Promise<RegExpExecArray> {
    const from = options.from ?? 0;
    const re = new RegExp(pattern.source, pattern.flags.replace('g', ''));
    const describe = () => `${pattern} in\n${tail(this.text(Math.max(from, this.lines.length - 40)))}\n--- stderr\n${this.err}`;
    return until(
      () => {
        const found = re.exec(this.text(from));
        if (found) return found;
        // It ended: what it printed is all there will be.
        if (this.ended) throw new Error(`hvcc run ended (exit ${this.child.exitCode}) without printing ${describe()}`);
        return undefined;
      },
      options.timeoutMs ?? 60_000,
      describe,
    );
  }

  /** True when the process is still running after `ms`. */
  async alive(ms: number): Promise<boolean> {
    const r = await Promise.race([this.closed.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), ms))]);
    return r;
  }

  endInput(): void {
    this.child.stdin.end();
  }

  async exit(timeoutMs = 30_000): Promise<number | null> {
    const timer = setTimeout(() => this.kill(), timeoutMs);
    const code = await this.closed;
    clearTimeout(timer);
    return code;
  }

  /** CPU seconds QEMU (hvcc's child) used in the next `ms` milliseconds. */
  async qemuCpuSeconds(ms: number): Promise<number> {
    const pid = this.child.pid!;
    const qemu = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]!;
    const ticks = () => {
      const fields = readFileSync(`/proc/${qemu}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      return Number(fields[11]) + Number(fields[12]); // utime, stime
    };
    const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    const before = ticks();
    await new Promise((r) => setTimeout(r, ms));
    return (ticks() - before) / hz;
  }

  /** Ends hvcc as a user's kill would: SIGTERM, on which it stops QEMU (a SIGKILL would leave QEMU behind). */
  kill(): void {
    if (this.child.exitCode !== null || this.ended) return;
    this.child.kill('SIGTERM');
    setTimeout(() => {
      if (!this.ended) this.child.kill('SIGKILL');
    }, 5000).unref();
  }
}

/** A shell in a tmux pane of its own server (its own socket), with the pane's history kept whole. */
export class TmuxSession {
  private readonly socket = `hvcc-test-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
  private readonly dir = mkdtempSync(join(tmpdir(), 'hvcc-tmux-'));
  readonly exitFile = join(this.dir, 'exit');

  constructor(width = 160, height = 48) {
    const conf = join(this.dir, 'tmux.conf');
    writeFileSync(conf, 'set -g history-limit 100000\nset -g status off\n');
    this.tmux('-f', conf, 'new-session', '-d', '-s', 'main', '-x', String(width), '-y', String(height), 'bash --norc --noprofile');
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /**
   * Runs `hvcc run ARGS` in the shell; when it ends, the shell writes its exit status and what the
   * terminal's modes are then (to see that raw mode was undone) to exitFile.
   */
  run(args: string[]): void {
    const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const modes = `stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo|isig|icrnl|opost)$' | tr '\\n' ' '`;
    this.text(`cd '${root}' && node bin/hvcc.js run ${quoted}; echo "status=$? modes=$(${modes})" > '${this.exitFile}'`);
    this.keys('Enter');
  }

  /** Keys by tmux's names (C-a, Enter, C-c). */
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'main', ...keys);
  }

  /** Text typed as it is. */
  text(text: string): void {
    this.tmux('send-keys', '-t', 'main', '-l', text);
  }

  /** The visible screen. */
  screen(): string {
    return this.tmux('capture-pane', '-t', 'main', '-p');
  }

  /** Everything the pane showed, its history included. */
  history(): string {
    return this.tmux('capture-pane', '-t', 'main', '-p', '-S', '-', '-E', '-');
  }

  mark(): number {
    return this.history().trimEnd().split('\n').length;
  }

  /** Waits for `pattern` in the history after line `from` (a mark()). */
  async expect(pattern: RegExp, options: { from?: number; timeoutMs?: number } = {}): Promise<RegExpExecArray> {
    const re = new RegExp(pattern.source, pattern.flags.replace('g', ''));
    const after = () => this.history().split('\n').slice(Math.max(0, (options.from ?? 0) - 1)).join('\n');
    return until(() => re.exec(after()) ?? undefined, options.timeoutMs ?? 60_000, () => `${pattern} on the screen:\n${tail(after())}`);
  }

  /** The shell's line after `hvcc run` ended: "status=N modes=...". */
  async exited(timeoutMs = 30_000): Promise<{ status: number; modes: string[] }> {
    const text = await until(
      () => {
        try {
          const t = readFileSync(this.exitFile, 'utf8');
          return t.includes('\n') ? t : undefined;
        } catch {
          return undefined;
        }
      },
      timeoutMs,
      () => `hvcc run to end; the screen:\n${tail(this.screen())}`,
    );
    const m = /status=(\d+) modes=(.*)/.exec(text)!;
    return { status: Number(m[1]), modes: m[2]!.trim().split(/\s+/) };
  }

  /** What the pane's shell runs (hvcc), and what that runs (QEMU). */
  processes(): { hvcc: number; children: number[] } {
    const children = (pid: string) => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    const shell = this.tmux('display-message', '-p', '-t', 'main', '#{pane_pid}').trim();
    const run = children(shell);
    if (run.length !== 1) throw new Error(`the pane's shell runs ${run.length} processes, not hvcc alone`);
    return { hvcc: Number(run[0]), children: children(run[0]!).map(Number) };
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      /* gone already */
    }
  }
}
