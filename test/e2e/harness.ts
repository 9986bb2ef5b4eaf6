import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/e2e/). */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `hvcc` CLI in a child process, as a user would. */
export function hvcc(args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'hvcc.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 180_000,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `hvcc-${prefix}-`));
}

/** The example guests are built by `make` (bootstrap.sh does it too; it is a no-op when they are current). */
export function buildExampleGuests(): void {
  execFileSync('make', ['-s', '-C', join(root, 'examples', 'guests')], { stdio: 'inherit' });
}

export function symbols(elf: string): string[] {
  return execFileSync('llvm-nm-14', [elf], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/).pop() ?? '')
    .filter((s) => s.length > 0);
}
