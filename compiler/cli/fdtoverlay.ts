import { applyOverlays, OverlayError } from '../dts/overlay.js';
import { readBytes, writeFileAtomic } from '../fs/files.js';
import type { Io } from './output.js';

const USAGE = `Usage: hvcc fdtoverlay -i BASE.dtb -o OUT.dtb OVERLAY.dtbo...
  -i, --input FILE    the base blob
  -o, --output FILE   where to write the result (replaced whole, or left as it was on failure)
  -v, --verbose       accepted for fdtoverlay's command line; hvcc prints nothing more
  -h, --help          this text
`;

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
  const base = readBytes(input, { what: 'the base blob (-i)' });
  if (!base.ok) {
    io.stderr(`hvcc fdtoverlay: ${base.diagnostic.message}\n`);
    return 1;
  }
  const blobs: { name: string; bytes: Uint8Array }[] = [];
  for (const name of overlays) {
    const r = readBytes(name, { what: 'the overlay' });
    if (!r.ok) {
      io.stderr(`hvcc fdtoverlay: ${r.diagnostic.message}\n`);
      return 1;
    }
    blobs.push({ name, bytes: r.value });
  }
  let blob: Uint8Array;
  try {
    blob = applyOverlays(Buffer.from(base.value), blobs);
  } catch (e) {
    if (e instanceof OverlayError) {
      io.stderr(`hvcc fdtoverlay: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const written = writeFileAtomic(output, blob, { what: 'the output (-o)' });
  if (!written.ok) {
    io.stderr(`hvcc fdtoverlay: ${written.diagnostic.message}\n`);
    return 1;
  }
  return 0;
}
