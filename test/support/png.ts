import { inflateSync } from 'node:zlib';

/** A decoded PNG: 8-bit RGBA pixels, row by row. */
export interface Image {
  width: number;
  height: number;
  /** width * height * 4 bytes. */
  rgba: Uint8Array;
}

// Module-scope copies: under jest's VM contexts every lookup of a global (Math) in a per-pixel loop is slow.
const abs = Math.abs;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * A small PNG decoder (what Chromium's screenshots are: 8-bit truecolor or gray, with or without alpha, not
 * interlaced) on node's zlib: the chunks, the IDAT stream inflated, the five scanline filters undone.
 */
export function decodePng(data: Uint8Array): Image {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (!SIGNATURE.every((b, i) => buf[i] === b)) throw new Error('not a PNG');
  let at = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Buffer[] = [];
  while (at < buf.length) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const body = buf.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const depth = body[8]!;
      colorType = body[9]!;
      if (depth !== 8 || body[12] !== 0 || ![0, 2, 4, 6].includes(colorType)) throw new Error(`unsupported PNG: depth ${depth}, color type ${colorType}, interlace ${body[12]}`);
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType as 0 | 2 | 4 | 6];
  // A typed array of this realm: under jest's VM modules, indexing node's Buffer (another realm's) is slow.
  const raw = Uint8Array.from(inflateSync(Buffer.concat(idat)));
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    const prev = out - stride;
    if (filter > 4) throw new Error(`bad PNG filter ${filter}`);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[out + x - channels]! : 0;
      const b = y > 0 ? pixels[prev + x]! : 0;
      let v = line[x]!;
      switch (filter) {
        case 1:
          v += a;
          break;
        case 2:
          v += b;
          break;
        case 3:
          v += (a + b) >> 1;
          break;
        case 4: {
          const c = x >= channels && y > 0 ? pixels[prev + x - channels]! : 0;
          const p = a + b - c;
          const pa = abs(p - a);
          const pb = abs(p - b);
          const pc = abs(p - c);
          v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
      }
      pixels[out + x] = v & 0xff;
    }
  }
  if (channels === 4) return { width, height, rgba: pixels };
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < width * height; i++, j += channels) {
    const gray = channels <= 2;
    rgba[i * 4] = pixels[j]!;
    rgba[i * 4 + 1] = gray ? pixels[j]! : pixels[j + 1]!;
    rgba[i * 4 + 2] = gray ? pixels[j]! : pixels[j + 2]!;
    rgba[i * 4 + 3] = channels === 2 ? pixels[j + 1]! : 255;
  }
  return { width, height, rgba };
}

/** How many pixels are within `tolerance` of the color '#rrggbb' in each channel. */
export function countColor(image: Image, hex: string, tolerance = 3): number {
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < image.rgba.length; i += 4) {
    if (abs(image.rgba[i]! - want[0]!) <= tolerance && abs(image.rgba[i + 1]! - want[1]!) <= tolerance && abs(image.rgba[i + 2]! - want[2]!) <= tolerance) n++;
  }
  return n;
}

/** The number of distinct colors (a blank page has one). */
export function distinctColors(image: Image): number {
  const seen = new Set<number>();
  for (let i = 0; i < image.rgba.length; i += 4) seen.add((image.rgba[i]! << 16) | (image.rgba[i + 1]! << 8) | image.rgba[i + 2]!);
  return seen.size;
}
