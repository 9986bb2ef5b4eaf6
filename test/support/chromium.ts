import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Debian's chromium (bootstrap.sh installs it), headless: screenshots and the DOM after the page's scripts ran. */
export function chromiumPath(): string {
  for (const name of ['chromium', 'chromium-browser']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  }
  throw new Error("chromium is not installed: run ./bootstrap.sh (Debian's chromium package)");
}

function run(args: string[], file: string, hash = ''): string {
  const profile = mkdtempSync(join(tmpdir(), 'hvcc-chromium-'));
  try {
    return execFileSync(
      chromiumPath(),
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--hide-scrollbars', '--no-first-run', '--mute-audio', `--user-data-dir=${profile}`, '--virtual-time-budget=3000', ...args, pathToFileURL(file).href + hash],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

export function screenshot(file: string, out: string, width = 1500, height = 1800, hash = ''): Uint8Array {
  run([`--screenshot=${out}`, `--window-size=${width},${height}`], file, hash);
  return readFileSync(out);
}

/** The DOM after the page's scripts ran; `hash` (e.g. '#band=ID') is added to its address. */
export function dumpDom(file: string, hash = ''): string {
  return run(['--dump-dom'], file, hash);
}
