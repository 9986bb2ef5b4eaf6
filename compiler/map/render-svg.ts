import { end, formatRange, formatSize, hex } from '../util/ranges.js';
import { CONFLICT_COLOR, WARNING_COLOR, worst, type GuestRegion, type HostSegment, type MapGuest, type MapOwner, type SystemMap } from './model.js';
import { bandHeight, layoutColumn, SCALE_NOTE, type Row } from './scale.js';

/**
 * The map as SVG: the figure (the host-physical column beside each guest's guest-physical one), the RAM bar
 * to scale, the legend, and — for the standalone `--format svg` file — the CPU, interrupt and conflict tables
 * as text. Every band carries a <title> (hover details in any viewer) and data- attributes the HTML page's
 * script and the tests read.
 */

export const FONT = "'DejaVu Sans', 'Segoe UI', system-ui, -apple-system, Helvetica, Arial, sans-serif";
export const MONO = "'DejaVu Sans Mono', ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace";

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A hex address with its 32-bit halves or 16-bit groups apart, as engineers read them: 0x4000_0000. */
export function addr(v: bigint): string {
  let h = v.toString(16);
  h = h.padStart(Math.max(8, Math.ceil(h.length / 4) * 4), '0');
  const groups: string[] = [];
  for (let i = h.length; i > 0; i -= 4) groups.unshift(h.slice(Math.max(0, i - 4), i));
  return `0x${groups.join('_')}`;
}

/** A size as people read it: exact when it is a whole number of its unit, else to one decimal (15.4 MiB). */
export function humanSize(size: bigint): string {
  const exact = formatSize(size);
  if (!exact.endsWith(' bytes') && !/^\d{4,} KiB$/.test(exact) && !/^\d{4,} MiB$/.test(exact)) return exact;
  const units: [string, bigint][] = [['GiB', 1n << 30n], ['MiB', 1n << 20n], ['KiB', 1n << 10n]];
  for (const [unit, m] of units) if (size >= m) return `${(Number((size * 10n) / m) / 10).toFixed(1).replace(/\.0$/, '')} ${unit}`;
  return exact;
}

export function ownerOf(map: SystemMap, id: string): MapOwner {
  return map.owners.find((o) => o.id === id) ?? map.owners.find((o) => o.id === 'board')!;
}

/** The <defs> the figure's bands use: the conflict hatch. */
export function defs(): string {
  return (
    `<defs><pattern id="hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
    `<rect width="8" height="8" fill="#ffffff" fill-opacity="0.0"/><rect width="3" height="8" fill="${CONFLICT_COLOR}" fill-opacity="0.5"/></pattern>` +
    `<pattern id="freefill" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3f5f8"/><rect width="1" height="6" fill="#dfe4ea"/></pattern></defs>`
  );
}

const X = { axis: 112, host: 120, hostWidth: 320, gutter: 40, guestWidth: 262, guestGap: 24, top: 64 } as const;

interface Band {
  id: string;
  /** A third line, for bands tall enough. */
  extra?: string;
  title: string;
  size: string;
  range: string;
  owner: MapOwner;
  conflicts: string[];
  severity: 'error' | 'warning' | undefined;
  data: Record<string, string>;
  tooltip: string;
  free: boolean;
  kind: string;
}

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${x}" y="${y}" ${attrs}>${esc(s)}</text>`;
}

/** Truncates to about `px` pixels of 12 px text (a band's title must not run into its size). */
function fit(s: string, px: number, charPx = 7): string {
  const max = Math.max(3, Math.floor(px / charPx));
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}

function band(b: Band, x: number, y: number, w: number, h: number): string {
  const attrs = Object.entries(b.data)
    .map(([k, v]) => ` data-${k}="${esc(v)}"`)
    .join('');
  const conflict = b.severity === 'error';
  const warn = b.severity === 'warning';
  const fill = b.free ? 'url(#freefill)' : b.owner.color;
  const stroke = conflict ? CONFLICT_COLOR : warn ? WARNING_COLOR : b.free ? '#b7c0cc' : '#ffffff';
  const sw = conflict || warn ? 2.5 : 1;
  const parts = [
    `<g class="band${conflict ? ' conflict' : warn ? ' warning' : ''}${b.free ? ' free' : ''}" id="${esc(b.id)}" data-kind="${esc(b.kind)}" data-owner="${esc(b.owner.id)}"${attrs} data-conflicts="${esc(b.conflicts.join(' '))}" tabindex="0" role="button" aria-label="${esc(b.tooltip.split('\n')[0]!)}">`,
    `<title>${esc(b.tooltip)}</title>`,
    `<rect class="fill" x="${x}" y="${y}" width="${w}" height="${h}" rx="3" fill="${fill}" stroke="${stroke}" stroke-width="${sw}"${b.free || warn ? ` stroke-dasharray="${warn ? '6 3' : '4 3'}"` : ''}/>`,
  ];
  if (conflict) parts.push(`<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="3" fill="url(#hatch)" pointer-events="none"/>`);
  // On a hatched band the text sits on white chips, legible whatever the owner's color.
  const ink = conflict ? '#5c0012' : b.free ? '#4a5563' : b.owner.ink;
  const label = (conflict ? '⚠ ' : warn ? '! ' : '') + b.title;
  const textY = h >= 38 ? y + 16 : y + h / 2 + 4.5;
  const sizeWidth = b.size.length * 6.8 + 10;
  const shown = fit(label, w - sizeWidth - 18, 7.6);
  if (conflict) {
    const chip = (cx: number, cw: number, cy: number) => parts.push(`<rect x="${cx}" y="${cy - 12}" width="${cw}" height="16" rx="3" fill="#ffffff" fill-opacity="0.92" pointer-events="none"/>`);
    chip(x + 4, Math.min(w - sizeWidth - 10, shown.length * 7.6 + 8), textY);
    chip(x + w - sizeWidth - 2, sizeWidth - 2, textY);
    if (h >= 38) chip(x + 4, Math.min(w - 8, b.range.length * 6.5 + 8), y + 31);
  }
  parts.push(text(x + 8, textY, shown, `class="label" fill="${ink}" font-size="12" font-weight="600"`));
  parts.push(text(x + w - 8, textY, b.size, `class="size" fill="${ink}" font-size="11" text-anchor="end"`));
  if (h >= 38) parts.push(text(x + 8, y + 31, b.range, `class="range" fill="${ink}" fill-opacity="0.92" font-size="10.5" font-family="${MONO}"`));
  if (h >= 54 && b.extra) {
    if (conflict) parts.push(`<rect x="${x + 4}" y="${y + 34}" width="${Math.min(w - 8, b.extra.length * 6.5 + 8)}" height="16" rx="3" fill="#ffffff" fill-opacity="0.92" pointer-events="none"/>`);
    parts.push(text(x + 8, y + 46, b.extra, `class="extra" fill="${ink}" fill-opacity="0.92" font-size="10.5" font-family="${MONO}"`));
  }
  parts.push('</g>');
  return parts.join('');
}

function breakRow(x: number, y: number, w: number, h: number, from: bigint, to: bigint): string {
  const zig = (yy: number) => {
    let d = `M${x} ${yy}`;
    for (let i = 0, xx = x; xx < x + w; i++, xx += 8) d += ` L${Math.min(x + w, xx + 4)} ${yy + (i % 2 === 0 ? -3 : 3)}`;
    return `<path d="${d}" fill="none" stroke="#9aa5b1" stroke-width="1"/>`;
  };
  return (
    `<g class="break" data-from="${hex(from)}" data-to="${hex(to)}"><title>${esc(`${formatRange({ base: from, size: to - from })}: ${formatSize(to - from)} nobody claims (cut out)`)}</title>` +
    zig(y + 6) +
    zig(y + h - 6) +
    text(x + w / 2, y + h / 2 + 4, `≈ ${humanSize(to - from)} unused`, `fill="#6b7682" font-size="10.5" font-style="italic" text-anchor="middle"`) +
    `</g>`
  );
}

function claimTooltip(map: SystemMap, ids: string[]): string[] {
  return ids.flatMap((id) => {
    const c = map.claims.find((x) => x.id === id);
    if (!c) return [];
    return [`${c.label}: ${c.detail}`, ...(c.claimedAt ? [`  claimed at ${c.claimedAt.text}`] : []), ...(c.definedAt && c.definedAt.text !== c.claimedAt?.text ? [`  defined at ${c.definedAt.text}`] : [])];
  });
}

function conflictLines(map: SystemMap, ids: string[]): string[] {
  return ids.map((id) => {
    const c = map.conflicts.find((x) => x.id === id)!;
    return `⚠ ${c.code} ${c.message}${c.at ? ` (${c.at.text})` : ''}`;
  });
}

function hostBand(map: SystemMap, s: HostSegment): Band {
  const owner = ownerOf(map, s.owner);
  const tooltip = [`${s.label} — ${formatRange(s.range)}, ${formatSize(s.range.size)}`, s.claims.length === 0 ? 'free RAM' : '', ...claimTooltip(map, s.claims), ...conflictLines(map, s.conflicts)].filter(Boolean).join('\n');
  return {
    id: s.id,
    title: s.label,
    size: humanSize(s.range.size),
    range: `${addr(s.range.base)} – ${addr(end(s.range))}`,
    owner,
    conflicts: s.conflicts,
    severity: worst(map, s.conflicts),
    data: { base: hex(s.range.base), size: hex(s.range.size), claims: s.claims.join(' '), space: 'host' },
    tooltip,
    free: s.claims.length === 0,
    kind: s.claims.length > 1 ? 'shared' : s.claims.length === 0 ? 'free' : (map.claims.find((c) => c.id === s.claims[0])?.kind ?? 'device'),
  };
}

function guestBand(map: SystemMap, g: MapGuest, r: GuestRegion): Band {
  const guest = g.name;
  const owner = ownerOf(map, g.owner);
  const title = r.kind === 'ram' ? 'RAM' : r.kind === 'passthrough' ? `${r.label} · passthrough` : r.label;
  const tooltip = [`${guest}: ${title} — guest-physical ${formatRange(r.range)}, ${formatSize(r.range.size)}`, r.detail, ...(r.claimedAt ? [`  claimed at ${r.claimedAt.text}`] : []), ...conflictLines(map, r.conflicts)].join('\n');
  return {
    id: r.id,
    title: r.kind === 'ram' && r.pa !== undefined ? (bandHeight(r.range.size) >= 56 ? 'RAM' : `RAM → ${addr(r.pa)}`) : r.kind === 'ram' ? 'RAM (not placed)' : title,
    ...(r.pa !== undefined ? { extra: `host ${addr(r.pa)} – ${addr(r.pa + r.range.size)}` } : {}),
    size: humanSize(r.range.size),
    range: `${addr(r.range.base)} – ${addr(end(r.range))}`,
    owner,
    conflicts: r.conflicts,
    severity: worst(map, r.conflicts),
    data: { base: hex(r.range.base), size: hex(r.range.size), claims: r.claim ?? '', space: guest, region: r.kind },
    tooltip,
    free: false,
    kind: r.kind,
  };
}

/** Words into lines of at most `max` characters. */
export function wrap(s: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(' ')) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

export interface Figure {
  body: string;
  width: number;
  height: number;
}

/** The host-physical column and each guest's guest-physical column, with the note on the scale. */
export function figure(map: SystemMap): Figure {
  const parts: string[] = [];
  const top = X.top;
  const host = layoutColumn(map.host, (s) => s.range, top);
  const hostX = X.host;
  parts.push(`<g class="column host" data-space="host">`);
  parts.push(text(hostX, 20, 'Host physical', `font-size="15" font-weight="700" fill="#1c2430"`));
  const ramTotal = map.ram.reduce((a, r) => a + r.size, 0n);
  parts.push(text(hostX, 38, `${map.board} · ${formatSize(ramTotal)} RAM · ${map.host.filter((s) => s.kind === 'device').length} device windows`, `font-size="11.5" fill="#4a5563"`));
  for (const row of host.rows) {
    if (row.kind === 'break') {
      parts.push(breakRow(hostX, row.y, X.hostWidth, row.height, row.from, row.to));
      parts.push(text(X.axis, row.y + 9, addr(row.from), `class="tick" font-size="10" font-family="${MONO}" fill="#6b7682" text-anchor="end"`));
      continue;
    }
    parts.push(band(hostBand(map, row.item), hostX, row.y, X.hostWidth, row.height - 2));
    parts.push(`<line x1="${X.axis + 2}" x2="${hostX}" y1="${row.y}" y2="${row.y}" stroke="#c5ccd5"/>`);
    parts.push(text(X.axis, row.y + 10, addr(row.item.range.base), `class="tick" font-size="10" font-family="${MONO}" fill="#38424f" text-anchor="end"`));
  }
  const lastHost = host.rows.at(-1);
  if (lastHost?.kind === 'band') parts.push(text(X.axis, lastHost.y + lastHost.height, addr(end(lastHost.item.range)), `class="tick" font-size="10" font-family="${MONO}" fill="#38424f" text-anchor="end"`));
  parts.push(`</g>`);
  let height = top + host.height;

  map.guests.forEach((g, gi) => {
    const x = X.host + X.hostWidth + X.gutter + gi * (X.guestWidth + X.guestGap);
    const owner = ownerOf(map, g.owner);
    const col = layoutColumn(g.regions, (r) => r.range, top);
    const gConf = worst(map, g.conflicts) === 'error';
    parts.push(`<g class="column guest${gConf ? ' conflict' : ''}" data-guest="${esc(g.name)}" data-space="${esc(g.name)}" id="${esc(g.id)}" data-conflicts="${esc(g.conflicts.join(' '))}">`);
    parts.push(`<title>${esc(`guest ${g.name}: ${g.vcpus} vCPU${g.vcpus === 1 ? '' : 's'}, ${formatSize(g.memory)} RAM${g.at ? `\ndeclared at ${g.at.text}` : ''}${conflictLines(map, g.conflicts).map((l) => '\n' + l).join('')}`)}</title>`);
    parts.push(`<rect x="${x}" y="8" width="14" height="14" rx="3" fill="${owner.color}"/>`);
    parts.push(text(x + 20, 20, (gConf ? '⚠ ' : '') + g.name, `font-size="15" font-weight="700" fill="${gConf ? CONFLICT_COLOR : '#1c2430'}"`));
    parts.push(text(x, 38, `guest-physical · ${g.vcpus} vCPU${g.vcpus === 1 ? '' : 's'} · ${formatSize(g.memory)}`, `font-size="11.5" fill="#4a5563"`));
    for (const row of col.rows as Row<GuestRegion>[]) {
      if (row.kind === 'break') parts.push(breakRow(x, row.y, X.guestWidth, row.height, row.from, row.to));
      else parts.push(band(guestBand(map, g, row.item), x, row.y, X.guestWidth, row.height - 2));
    }
    if (g.regions.length === 0) parts.push(text(x, top + 14, 'nothing mapped', `font-size="11" fill="#6b7682" font-style="italic"`));
    parts.push(`</g>`);
    height = Math.max(height, top + col.height);
  });
  const width = X.host + X.hostWidth + X.gutter + map.guests.length * (X.guestWidth + X.guestGap);
  const w = Math.max(width, 700);
  const note = wrap(SCALE_NOTE, Math.floor(w / 6.2));
  note.forEach((line, i) => parts.push(text(0, height + 22 + i * 15, line, `class="scale-note" font-size="11" fill="#4a5563"`)));
  return { body: parts.join('\n'), width: w, height: height + 22 + note.length * 15 };
}

/** Board RAM to scale: one bar per bank, each owner's share as wide as it is. */
export function ramBar(map: SystemMap, width: number): Figure {
  const parts: string[] = [];
  let y = 0;
  for (const bank of map.ram) {
    parts.push(text(0, y + 12, `RAM ${addr(bank.base)} – ${addr(end(bank))} (${formatSize(bank.size)}), to scale`, `font-size="12" font-weight="600" fill="#1c2430"`));
    y += 20;
    const inBank = map.host.filter((s) => s.kind === 'ram' && s.range.base >= bank.base && end(s.range) <= end(bank));
    const scale = (v: bigint) => Number(((v - bank.base) * 1_000_000n) / bank.size) / 1_000_000;
    for (const s of inBank) {
      const x0 = scale(s.range.base) * width;
      const w = Math.max(2, scale(end(s.range)) * width - x0);
      const owner = ownerOf(map, s.owner);
      const free = s.claims.length === 0;
      const conflict = worst(map, s.conflicts) === 'error';
      parts.push(
        `<g class="ram-piece" data-owner="${esc(owner.id)}" data-target="${esc(s.id)}"><title>${esc(`${s.label}: ${formatRange(s.range)}, ${formatSize(s.range.size)} (${((scale(end(s.range)) - scale(s.range.base)) * 100).toFixed(1)}% of the bank)`)}</title>` +
          `<rect x="${x0.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="22" fill="${free ? 'url(#freefill)' : owner.color}" stroke="${conflict ? CONFLICT_COLOR : free ? '#b7c0cc' : '#ffffff'}" stroke-width="${conflict ? 2 : 0.75}"/>` +
          (conflict ? `<rect x="${x0.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="22" fill="url(#hatch)"/>` : '') +
          (w > 70 ? text(x0 + 6, y + 15, fit(s.label, w - 10, 6.5), `font-size="11" fill="${free ? '#4a5563' : owner.ink}" pointer-events="none"`) : '') +
          `</g>`,
      );
    }
    y += 30;
  }
  return { body: parts.join('\n'), width, height: y };
}

/** The owners' colors, and the signs for free RAM and conflicts. */
export function legend(map: SystemMap, width: number): Figure {
  const parts: string[] = [];
  let x = 0;
  let y = 0;
  const used = new Set([...map.host.map((s) => s.owner), ...map.guests.map((g) => g.owner), 'hypervisor']);
  for (const o of map.owners) {
    if (!used.has(o.id) && o.kind !== 'free') continue;
    if (o.kind === 'shared') continue;
    const label = o.kind === 'guest' ? `guest ${o.label}` : o.label;
    const w = 28 + label.length * 7 + 18;
    if (x + w > width) {
      x = 0;
      y += 24;
    }
    const fill = o.kind === 'free' ? 'url(#freefill)' : o.color;
    parts.push(`<g class="legend-item" data-owner="${esc(o.id)}"><rect x="${x}" y="${y}" width="18" height="16" rx="3" fill="${fill}" stroke="${o.kind === 'free' ? '#b7c0cc' : 'none'}"${o.kind === 'free' ? ' stroke-dasharray="3 2"' : ''}/>${text(x + 24, y + 12.5, label, `font-size="12" fill="#1c2430"`)}</g>`);
    x += w;
  }
  const w = 28 + 18 * 7;
  if (x + w > width) {
    x = 0;
    y += 24;
  }
  if (map.conflicts.some((c) => c.severity === 'warning')) {
    parts.push(`<g class="legend-item" data-owner="warning"><rect x="${x}" y="${y}" width="18" height="16" rx="3" fill="#ffffff" stroke="${WARNING_COLOR}" stroke-width="2" stroke-dasharray="4 2"/>${text(x + 24, y + 12.5, '! warning', `font-size="12" fill="#1c2430"`)}</g>`);
    x += 28 + 9 * 7 + 18;
  }
  parts.push(`<g class="legend-item" data-owner="conflict"><rect x="${x}" y="${y}" width="18" height="16" rx="3" fill="#ffffff" stroke="${CONFLICT_COLOR}" stroke-width="2"/><rect x="${x}" y="${y}" width="18" height="16" rx="3" fill="url(#hatch)"/>${text(x + 24, y + 12.5, '⚠ conflict (see list)', `font-size="12" fill="#1c2430"`)}</g>`);
  return { body: parts.join('\n'), width, height: y + 20 };
}

/** A plain table as SVG text rows, for the standalone SVG. */
function table(title: string, header: string[], rows: { cells: string[]; color?: string; conflict?: boolean | undefined; id?: string; attrs?: string }[], widths: number[], y0: number): Figure {
  const parts: string[] = [text(0, y0 + 14, title, `font-size="15" font-weight="700" fill="#1c2430"`)];
  let y = y0 + 28;
  const row = (cells: string[], attrs: string, yy: number) => {
    let x = 0;
    return cells.map((c, i) => {
      const t = text(x + (i === 0 ? 22 : 8), yy + 15, fit(c, widths[i]! - 12, 6.6), `font-size="11.5" ${attrs}`);
      x += widths[i]!;
      return t;
    });
  };
  const width = widths.reduce((a, b) => a + b, 0);
  parts.push(`<rect x="0" y="${y}" width="${width}" height="22" fill="#e7ebf0"/>`, ...row(header, 'font-weight="700" fill="#1c2430"', y));
  y += 22;
  for (const r of rows) {
    parts.push(`<g class="row${r.conflict ? ' conflict' : ''}"${r.id ? ` id="${esc(r.id)}"` : ''}${r.attrs ?? ''}>`);
    parts.push(`<rect x="0" y="${y}" width="${width}" height="22" fill="${r.conflict ? '#fde8eb' : '#ffffff'}" stroke="#e3e7ec"/>`);
    if (r.color) parts.push(`<rect x="6" y="${y + 5}" width="11" height="12" rx="2" fill="${r.color}"/>`);
    parts.push(...row(r.cells, `fill="${r.conflict ? '#7a0019' : '#1c2430'}"`, y), '</g>');
    y += 22;
  }
  if (rows.length === 0) {
    parts.push(text(8, y + 15, 'none', `font-size="11.5" font-style="italic" fill="#6b7682"`));
    y += 22;
  }
  return { body: parts.join('\n'), width, height: y - y0 + 12 };
}

export function ownerLabel(map: SystemMap, id: string): string {
  const o = ownerOf(map, id);
  return o.kind === 'guest' ? o.label : o.kind === 'free' ? 'free' : o.kind === 'board' ? 'not assigned' : o.kind === 'shared' ? 'claimed twice' : o.label;
}

export function cpuRows(map: SystemMap) {
  return map.cpus.map((c) => ({
    c,
    cells: [
      c.path,
      hex(c.hwid),
      ownerLabel(map, c.owner),
      c.vcpus.map((v) => `${v.guest} vCPU ${v.vcpu}`).join(', ') || (c.boot ? 'boot CPU, no guest' : 'idle'),
      [c.boot ? 'boot CPU' : '', c.status !== 'okay' ? c.status : ''].filter(Boolean).join(', '),
      c.vcpus.map((v) => v.at?.text ?? '').filter(Boolean).join(', ') || c.definedAt?.text || '',
    ],
  }));
}

export function irqRows(map: SystemMap) {
  return map.interrupts.map((i) => ({ i, cells: [i.space === 'host' ? 'host' : i.space, `${i.name} (ID ${i.intid})`, i.device, ownerLabel(map, i.owner), i.detail, i.at?.text ?? ''] }));
}

/** The standalone SVG: header, legend, RAM bar, figure, then the conflicts, CPUs and interrupts as tables. */
export function svgDocument(map: SystemMap, version: string): string {
  const fig = figure(map);
  const width = Math.max(fig.width, 1000);
  const pad = 24;
  const inner = width;
  const parts: string[] = [];
  let y = pad;
  parts.push(`<g transform="translate(${pad} ${y})">${text(0, 20, `hvcc map · ${map.system}`, `font-size="22" font-weight="700" fill="#1c2430"`)}${text(0, 40, `${map.file} · ${status(map)}`, `font-size="12.5" fill="${map.errors ? CONFLICT_COLOR : '#4a5563'}"`)}</g>`);
  y += 58;
  const leg = legend(map, inner);
  parts.push(`<g class="legend" transform="translate(${pad} ${y})">${leg.body}</g>`);
  y += leg.height + 18;
  const bar = ramBar(map, inner);
  parts.push(`<g class="ram-bar" transform="translate(${pad} ${y})">${bar.body}</g>`);
  y += bar.height + 8;
  parts.push(`<g class="figure" transform="translate(${pad} ${y})">${fig.body}</g>`);
  y += fig.height + 16;
  const tables: Figure[] = [];
  let ty = 0;
  if (map.conflicts.length) {
    const t = table(
      `Conflicts (${map.conflicts.length})`,
      ['code', 'problem', 'where'],
      map.conflicts.map((c) => ({ id: `row-${c.id}`, attrs: ` data-conflict="${esc(c.id)}" data-code="${esc(c.code)}"`, conflict: c.severity === 'error', cells: [`${c.severity === 'error' ? '⚠ ' : ''}${c.code}`, c.message, c.at?.text ?? ''] })),
      [110, inner - 110 - 330, 330],
      ty,
    );
    tables.push(t);
    ty += t.height + 12;
  }
  const cw = [200, 90, 120, 220, 140, inner - 770];
  const ct = table('CPUs', ['CPU', 'hardware ID', 'owner', 'runs', 'notes', 'assigned at'], cpuRows(map).map(({ c, cells }) => ({ id: `row-${c.id}`, attrs: ` data-cpu="${esc(c.path)}" data-owner="${esc(c.owner)}"`, color: ownerOf(map, c.owner).color, conflict: worst(map, c.conflicts) === 'error', cells })), cw, ty);
  tables.push(ct);
  ty += ct.height + 12;
  const iw = [80, 130, 200, 110, 270, inner - 790];
  const it = table('Interrupts', ['controller', 'interrupt', 'device', 'owner', 'what', 'declared at'], irqRows(map).map(({ i, cells }) => ({ id: `row-${i.id}`, attrs: ` data-irq="${i.intid}" data-owner="${esc(i.owner)}"`, color: ownerOf(map, i.owner).color, conflict: worst(map, i.conflicts) === 'error', cells })), iw, ty);
  tables.push(it);
  ty += it.height;
  parts.push(`<g class="tables" transform="translate(${pad} ${y})">${tables.map((t) => t.body).join('\n')}</g>`);
  y += ty + 12;
  parts.push(text(pad, y + 8, `generated by hvcc ${version}`, `font-size="10.5" fill="#8a94a0"`));
  y += 24;
  const total = width + 2 * pad;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="${Math.ceil(y)}" viewBox="0 0 ${total} ${Math.ceil(y)}" font-family="${esc(FONT)}" role="img" aria-labelledby="svg-title">\n` +
    `<title id="svg-title">${esc(`Memory map of ${map.system}: ${status(map)}`)}</title>\n` +
    `<style>.band:hover .fill, .band:focus .fill { stroke: #111; stroke-width: 2.5; } .band { cursor: pointer; } .band:focus { outline: none; }</style>\n` +
    defs() +
    `\n<rect width="100%" height="100%" fill="#ffffff"/>\n` +
    parts.join('\n') +
    `\n</svg>\n`
  );
}

export function status(map: SystemMap): string {
  if (map.errors === 0 && map.warnings === 0) return 'no problems';
  const p = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return [map.errors ? p(map.errors, 'error') : '', map.warnings ? p(map.warnings, 'warning') : ''].filter(Boolean).join(', ') + (map.complete ? '' : ' — placement computed from the description as read');
}

