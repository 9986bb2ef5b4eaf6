import { spawnSync } from 'node:child_process';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { toolchainMessages as M } from './messages.js';
import type { Timings } from '../util/timings.js';

/** Where tool invocations are echoed with -v/--verbose, like `make VERBOSE=1`. */
export interface ToolLog {
  verbose: boolean;
  write: (line: string) => void;
  /** `--timings`: each tool run is measured under its program's name. */
  timings?: Timings | undefined;
}

export class ToolError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

function quote(arg: string): string {
  return /^[A-Za-z0-9_./=,:+@%-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Runs a toolchain program to completion; a failure becomes a ToolError carrying a coded diagnostic. */
export function runTool(
  program: string,
  args: readonly string[],
  log: ToolLog,
  options: { cwd?: string; input?: string; /** A more precise diagnostic for a failure, from the program's output. */ failure?: (output: string) => Diagnostic | undefined } = {},
): string {
  if (log.verbose) log.write(`  ${[program, ...args].map(quote).join(' ')}`);
  const spawn = () => spawnSync(program, args, { cwd: options.cwd, input: options.input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const result = log.timings ? log.timings.measure(program, spawn) : spawn();
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ToolError(diagnostic(M.toolMissing, `${program} is not installed`, undefined, { help: 'run ./bootstrap.sh (it installs clang-14, lld-14, llvm-14 and QEMU)' }));
    }
    throw new ToolError(diagnostic(M.toolFailed, `${program} could not run: ${result.error.message}`));
  }
  if (result.status !== 0) {
    const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim();
    const precise = options.failure?.(output);
    if (precise) throw new ToolError(precise);
    throw new ToolError(
      diagnostic(M.toolFailed, `${program} failed (${result.signal ? `signal ${result.signal}` : `exit ${result.status}`})`, undefined, {
        notes: [...output.split('\n').slice(0, 40), `command: ${[program, ...args].map(quote).join(' ')}`],
      }),
    );
  }
  return result.stdout ?? '';
}
