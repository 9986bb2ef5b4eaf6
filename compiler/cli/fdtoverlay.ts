import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { applyOverlays, OverlayError } from '../dts/overlay.js';
import type { Io } from './output.js';

const USAGE = 'Usage: hvcc fdtoverlay -i BASE.dtb -o OUT.dtb OVERLAY.dtbo...\n';

/** `hvcc fdtoverlay`: fdtoverlay's command line (-i, -o, overlays in order). Exit 1 on a failed apply, 2 on usage. */
export async function runFdtoverlay(argv: string[], io: Io): Promise<number> {
  let input: string | undefined;
  let output: string | undefined;
  const overlays: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      io.stdout(USAGE);
      return 0;
    }
    if (a === '-i' || a === '--input') input = argv[++i];
    else if (a === '-o' || a === '--output') output = argv[++i];
    else if (a === '-v' || a === '--verbose') continue;
    else if (a.startsWith('-')) {
      io.stderr(`hvcc fdtoverlay: unknown option ${a}\n${USAGE}`);
      return 2;
    } else overlays.push(a);
  }
  if (!input || !output) {
    io.stderr(`hvcc fdtoverlay: -i and -o are required\n${USAGE}`);
    return 2;
  }
  try {
    const blob = applyOverlays(readFileSync(input), overlays.map((name) => ({ name, bytes: readFileSync(name) })));
    const tmp = `${output}.${process.pid}.tmp`;
    writeFileSync(tmp, blob);
    renameSync(tmp, output);
    return 0;
  } catch (e) {
    if (e instanceof OverlayError || (e as NodeJS.ErrnoException).code === 'ENOENT') {
      io.stderr(`hvcc fdtoverlay: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
