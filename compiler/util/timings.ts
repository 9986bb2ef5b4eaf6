import { performance } from 'node:perf_hooks';

/** One measured step: a pass, a tool run, or a part of one; `depth` nests steps measured inside others. */
export interface TimingEntry {
  name: string;
  ms: number;
  depth: number;
}

/**
 * What `--timings` prints: each pass and each tool with its wall time, in the order they ran. Passed down
 * with the options (never global); a command run without `--timings` passes none and measures nothing.
 */
export class Timings {
  readonly entries: TimingEntry[] = [];
  private depth = 0;

  measure<T>(name: string, fn: () => T): T {
    const entry: TimingEntry = { name, ms: 0, depth: this.depth };
    this.entries.push(entry);
    const start = performance.now();
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      entry.ms = performance.now() - start;
    }
  }

  async measureAsync<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const entry: TimingEntry = { name, ms: 0, depth: this.depth };
    this.entries.push(entry);
    const start = performance.now();
    this.depth++;
    try {
      return await fn();
    } finally {
      this.depth--;
      entry.ms = performance.now() - start;
    }
  }

  /** A step measured elsewhere (node's own start-up, before any of hvcc ran). */
  record(name: string, ms: number, depth = this.depth): void {
    this.entries.push({ name, ms, depth });
  }

  /** The table `--timings` prints to stderr: milliseconds, then the step, indented by nesting. */
  render(): string {
    const total = performance.now();
    const rows = this.entries.map((e) => `${e.ms.toFixed(1).padStart(9)} ms  ${'  '.repeat(e.depth)}${e.name}`);
    return ['hvcc: timings', ...rows, `${total.toFixed(1).padStart(9)} ms  total (from process start)`].join('\n') + '\n';
  }
}

/** `timings.measure(name, fn)`, or just `fn()` when nothing is measured. */
export function timed<T>(timings: Timings | undefined, name: string, fn: () => T): T {
  return timings ? timings.measure(name, fn) : fn();
}
