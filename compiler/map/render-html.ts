import { end, formatRange, formatSize, hex } from '../util/ranges.js';
import { CONFLICT_COLOR, WARNING_COLOR, worst, type SystemMap } from './model.js';
import { addr, cpuRows, defs, esc, figure, FONT, humanSize, irqRows, MONO, ownerLabel, ownerOf, status } from './render-svg.js';
import { SCALE_NOTE } from './scale.js';

/**
 * `hvcc map --format html`: one self-contained page (inline CSS, SVG and script; no network, no fonts but the
 * reader's own) — the legend, board RAM to scale, the host-physical column beside each guest's
 * guest-physical one, a details panel (hover, focus or click a band: its range, owner and the file:line:column
 * of the node that claimed it), and the conflict, address-space, CPU and interrupt tables.
 */

/** The map as plain JSON (bigints as hex strings): what `hvcc map --format json` prints beside the ledger, and what the page's script reads. */
export function mapJson(map: SystemMap): unknown {
  return JSON.parse(JSON.stringify(map, (_k, v) => (typeof v === 'bigint' ? hex(v) : v)));
}

const CSS = `
:root { --ink: #1c2430; --muted: #4a5563; --line: #e3e7ec; --bg: #f6f8fa; --conflict: ${CONFLICT_COLOR}; }
* { box-sizing: border-box; }
body { margin: 0; font-family: ${FONT}; color: var(--ink); background: var(--bg); font-size: 14px; line-height: 1.45; }
header { background: #1c2430; color: #fff; padding: 18px 28px 16px; }
header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 700; letter-spacing: 0.2px; }
header h1 .tool { color: #9fb3c8; font-weight: 400; }
header .meta { color: #c9d4df; font-size: 13px; }
header .meta code { color: #fff; }
.pill { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 12.5px; font-weight: 700; margin-left: 8px; vertical-align: 1px; }
.pill.ok { background: #d6f5e3; color: #0b5c32; }
.pill.bad { background: var(--conflict); color: #fff; }
.pill.warn { background: #fff1c2; color: #5c4400; }
main { padding: 20px 28px 32px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 18px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 150px; }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.6px; }
.card .v { font-size: 20px; font-weight: 700; }
.card .s { color: var(--muted); font-size: 12px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin-bottom: 18px; }
section > h2 { margin: 0 0 10px; font-size: 16px; }
.legend { display: flex; flex-wrap: wrap; gap: 8px 20px; align-items: center; margin: 0 0 12px; padding: 0; list-style: none; }
.legend li { display: flex; align-items: center; gap: 7px; font-size: 13px; }
.sw { width: 18px; height: 16px; border-radius: 3px; display: inline-block; flex: none; }
.sw.free { background: repeating-linear-gradient(45deg, #f3f5f8 0 4px, #dfe4ea 4px 5px); border: 1px dashed #b7c0cc; }
.sw.conflict { background: repeating-linear-gradient(45deg, rgba(200,16,46,.55) 0 3px, #fff 3px 8px); border: 2px solid var(--conflict); }
.ram { margin: 0 0 16px; }
.ram-title { font-size: 13px; margin-bottom: 5px; }
.ram-bar { display: flex; height: 28px; border: 1px solid #b7c0cc; border-radius: 4px; overflow: hidden; background: #fff; }
.ram-bar .piece { min-width: 2px; height: 100%; border-right: 1px solid #fff; font-size: 12px; font-weight: 600; overflow: hidden; white-space: nowrap; display: flex; align-items: center; padding-left: 7px; }
.ram-bar .piece.free { background: repeating-linear-gradient(45deg, #f3f5f8 0 4px, #dfe4ea 4px 5px); color: #4a5563; font-weight: 400; }
.ram-bar .piece.conflict { background-image: repeating-linear-gradient(45deg, rgba(200,16,46,.6) 0 3px, transparent 3px 8px); outline: 2px solid var(--conflict); outline-offset: -2px; }
.layout { display: grid; grid-template-columns: minmax(0, 1fr) 300px; gap: 18px; align-items: start; }
.figure-wrap { overflow-x: auto; }
.figure-wrap svg { display: block; }
.note { color: var(--muted); font-size: 12.5px; margin: 6px 0 0; }
aside#details { position: sticky; top: 12px; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; min-height: 160px; }
aside#details h2 { margin: 0 0 2px; font-size: 15px; }
aside#details .hint { color: var(--muted); font-size: 13px; }
aside#details dl { display: grid; grid-template-columns: 88px 1fr; gap: 4px 10px; margin: 10px 0 0; font-size: 13px; }
aside#details dt { color: var(--muted); }
aside#details dd { margin: 0; overflow-wrap: anywhere; }
aside#details .claim { border-left: 4px solid #888; padding: 4px 0 4px 10px; margin: 10px 0; }
aside#details .problem { border-left: 4px solid var(--conflict); background: #fde8eb; padding: 6px 10px; margin: 10px 0; font-size: 13px; color: #5c0012; }
aside#details .pinned { font-size: 11.5px; color: var(--muted); float: right; }
code, .mono { font-family: ${MONO}; font-size: 12.5px; }
.band { cursor: pointer; outline: none; }
.band:hover .fill, .band:focus .fill, .band.selected .fill { stroke: #111; stroke-width: 2.5px; }
.band.linked .fill { stroke: #111; stroke-width: 2.5px; stroke-dasharray: 5 3; }
.band.dim { opacity: 0.35; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f5; font-weight: 700; font-size: 12.5px; color: #38424f; }
tr.conflict td { background: #fde8eb; color: #5c0012; }
tr.warning td { background: #fff6e0; color: #5c3a00; }
.sw.warning { border: 2px dashed ${WARNING_COLOR}; background: #fff; }
tr[data-items] { cursor: pointer; }
tr[data-items]:hover td { background: #fbd3d9; }
td .sw { vertical-align: -3px; margin-right: 6px; }
td.mono, td.nowrap { white-space: nowrap; }
.sev-error { color: var(--conflict); font-weight: 700; }
.sev-warning { color: #8a6100; font-weight: 700; }
footer { color: #8a94a0; font-size: 12px; padding: 0 28px 24px; }
@media (max-width: 1100px) { .layout { grid-template-columns: 1fr; } aside#details { position: static; } }
`;

/** The page's script: details on hover, focus or click; links between a guest's RAM and its host range; conflict rows select their items. */
const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('map-data').textContent);
  var panel = document.getElementById('details');
  var pinned = null;
  function find(list, id) { for (var i = 0; i < list.length; i++) if (list[i].id === id) return list[i]; return null; }
  function regionOf(id) { for (var g = 0; g < data.guests.length; g++) { var r = find(data.guests[g].regions, id); if (r) return { guest: data.guests[g], region: r }; } return null; }
  function owner(id) { return find(data.owners, id) || { label: id, color: '#999' }; }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  function row(dl, k, v, mono) { dl.appendChild(el('dt', '', k)); var d = el('dd', mono ? 'mono' : '', v); dl.appendChild(d); }
  function size(hexSize) { var n = BigInt(hexSize); var units = [['GiB', 30n], ['MiB', 20n], ['KiB', 10n]]; for (var i = 0; i < units.length; i++) { var m = 1n << units[i][1]; if (n % m === 0n) return (n / m) + ' ' + units[i][0]; } return n + ' bytes'; }
  function range(base, sz) { return '[' + base + ', 0x' + (BigInt(base) + BigInt(sz)).toString(16) + ')'; }
  function problems(box, ids) {
    ids.forEach(function (cid) { var c = find(data.conflicts, cid); if (!c) return; var p = el('div', 'problem'); p.appendChild(el('strong', '', '⚠ ' + c.code + ' ')); p.appendChild(document.createTextNode(c.message)); if (c.at) { p.appendChild(el('br')); p.appendChild(el('span', 'mono', c.at.text)); } c.related.forEach(function (r) { p.appendChild(el('br')); p.appendChild(document.createTextNode('↳ ' + r.message + (r.at ? ' — ' : ''))); if (r.at) p.appendChild(el('span', 'mono', r.at.text)); }); box.appendChild(p); });
  }
  function claimBox(box, c) {
    var d = el('div', 'claim'); d.style.borderLeftColor = owner(c.owner).color;
    d.appendChild(el('strong', '', c.label)); d.appendChild(el('div', '', c.detail));
    var dl = el('dl'); row(dl, 'range', range(c.range.base, c.range.size), true); row(dl, 'owner', owner(c.owner).label);
    if (c.claimedAt) row(dl, 'claimed at', c.claimedAt.text, true);
    if (c.definedAt && (!c.claimedAt || c.definedAt.text !== c.claimedAt.text)) row(dl, 'defined at', c.definedAt.text, true);
    d.appendChild(dl); box.appendChild(d);
  }
  function render(band) {
    panel.textContent = '';
    if (pinned) panel.appendChild(el('span', 'pinned', 'pinned · Esc to release'));
    var id = band.id, seg = find(data.host, id), rg = regionOf(id);
    if (seg) {
      panel.appendChild(el('h2', '', seg.label));
      panel.appendChild(el('div', 'hint', 'host physical'));
      var dl = el('dl'); row(dl, 'range', range(seg.range.base, seg.range.size), true); row(dl, 'size', size(seg.range.size)); row(dl, 'owner', owner(seg.owner).label); panel.appendChild(dl);
      seg.claims.forEach(function (cid) { var c = find(data.claims, cid); if (c) claimBox(panel, c); });
      if (seg.claims.length === 0) panel.appendChild(el('p', 'hint', 'Board RAM nobody claims: room for another guest.'));
      problems(panel, seg.conflicts);
    } else if (rg) {
      var r = rg.region;
      panel.appendChild(el('h2', '', rg.guest.name + ': ' + (r.kind === 'ram' ? 'RAM' : r.label)));
      panel.appendChild(el('div', 'hint', 'guest physical · ' + (r.kind === 'ram' ? 'memory' : r.kind === 'emulated' ? 'emulated device' : 'passed-through device')));
      var dl2 = el('dl'); row(dl2, 'range', range(r.range.base, r.range.size), true); row(dl2, 'size', size(r.range.size));
      if (r.pa) row(dl2, 'host', range(r.pa, r.range.size), true);
      row(dl2, 'what', r.detail);
      if (r.claimedAt) row(dl2, 'claimed at', r.claimedAt.text, true);
      panel.appendChild(dl2);
      problems(panel, r.conflicts);
    }
    document.querySelectorAll('.band.linked').forEach(function (b) { b.classList.remove('linked'); });
    (band.getAttribute('data-claims') || '').split(' ').filter(Boolean).forEach(function (cid) {
      document.querySelectorAll('.band').forEach(function (b) { if (b !== band && (b.getAttribute('data-claims') || '').split(' ').indexOf(cid) >= 0) b.classList.add('linked'); });
    });
  }
  function select(band) { document.querySelectorAll('.band.selected').forEach(function (b) { b.classList.remove('selected'); }); if (band) band.classList.add('selected'); }
  document.querySelectorAll('.band').forEach(function (band) {
    band.addEventListener('mouseenter', function () { if (!pinned) render(band); });
    band.addEventListener('focus', function () { if (!pinned) render(band); });
    band.addEventListener('click', function () { pinned = pinned === band ? null : band; select(pinned); render(band); });
    band.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); band.dispatchEvent(new MouseEvent('click')); } });
  });
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') { pinned = null; select(null); } });
  document.querySelectorAll('tr[data-items]').forEach(function (tr) {
    tr.addEventListener('click', function () {
      var items = tr.getAttribute('data-items').split(' ');
      var first = null;
      document.querySelectorAll('.band').forEach(function (b) { var on = items.indexOf(b.id) >= 0; b.classList.toggle('dim', !on); if (on && !first) first = b; });
      if (first) { pinned = first; select(first); render(first); first.scrollIntoView({ block: 'center', behavior: 'smooth' }); }
      setTimeout(function () { document.querySelectorAll('.band.dim').forEach(function (b) { b.classList.remove('dim'); }); }, 2500);
    });
  });
  // A link to one band: map.html#band=ID selects and pins it.
  var m = /^#band=(.+)$/.exec(location.hash);
  if (m) { var target = document.getElementById(decodeURIComponent(m[1])); if (target && target.classList.contains('band')) { pinned = target; select(target); render(target); } }
  document.documentElement.setAttribute('data-ready', 'true');
})();
`;

/** Board RAM to scale: each bank a bar, each owner's piece as wide as its share (at least a hairline). */
function ramBars(map: SystemMap): string {
  return map.ram
    .map((bank) => {
      const pieces = map.host.filter((s) => s.kind === 'ram' && s.range.base >= bank.base && end(s.range) <= end(bank));
      const pct = (v: bigint) => Number((v * 1_000_000n) / bank.size) / 10_000;
      const cells = pieces
        .map((s) => {
          const o = ownerOf(map, s.owner);
          const free = s.claims.length === 0;
          const share = pct(s.range.size);
          const style = free ? '' : `background:${o.color};color:${o.ink};`;
          return `<div class="piece${free ? ' free' : ''}${worst(map, s.conflicts) === 'error' ? ' conflict' : ''}" data-target="${esc(s.id)}" data-owner="${esc(o.id)}" style="${style}flex:0 0 ${share.toFixed(4)}%" title="${esc(`${s.label}: ${formatRange(s.range)}, ${humanSize(s.range.size)} — ${share.toFixed(1)}% of the bank`)}">${share >= 7 ? `<span>${esc(s.label)} · ${esc(humanSize(s.range.size))}</span>` : ''}</div>`;
        })
        .join('');
      return `<div class="ram"><div class="ram-title">Board RAM <code>${esc(addr(bank.base))} – ${esc(addr(end(bank)))}</code> (${esc(formatSize(bank.size))}), <strong>to scale</strong></div><div class="ram-bar" role="img" aria-label="${esc(`board RAM ${formatRange(bank)} to scale`)}">${cells}</div></div>`;
    })
    .join('');
}

function swatch(map: SystemMap, owner: string): string {
  const o = ownerOf(map, owner);
  if (o.kind === 'free') return `<span class="sw free" aria-hidden="true"></span>`;
  return `<span class="sw" style="background:${o.color}" aria-hidden="true"></span>`;
}

function cls(map: SystemMap, conflicts: string[]): string {
  const w = worst(map, conflicts);
  return w === 'error' ? ' class="conflict"' : w === 'warning' ? ' class="warning"' : '';
}

export function htmlDocument(map: SystemMap, version: string): string {
  const fig = figure(map);
  const ramTotal = map.ram.reduce((a, r) => a + r.size, 0n);
  const ramFree = map.host.filter((s) => s.kind === 'ram' && s.claims.length === 0).reduce((a, s) => a + s.range.size, 0n);
  const cpusUsed = map.cpus.filter((c) => c.vcpus.length > 0).length;
  const pill = map.errors ? `<span class="pill bad">✗ ${esc(status(map))}</span>` : map.warnings ? `<span class="pill warn">! ${esc(status(map))}</span>` : `<span class="pill ok">✓ no problems</span>`;
  const usedOwners = new Set([...map.host.map((s) => s.owner), ...map.guests.map((g) => g.owner), 'hypervisor', 'free']);
  const legendItems = map.owners
    .filter((o) => usedOwners.has(o.id) && o.kind !== 'shared')
    .map((o) => `<li data-owner="${esc(o.id)}">${swatch(map, o.id)}${esc(o.kind === 'guest' ? `guest ${o.label}` : o.label)}</li>`)
    .join('');
  const conflicts = map.conflicts.length
    ? `<section id="conflicts" aria-labelledby="conflicts-h"><h2 id="conflicts-h">${map.errors ? '⚠ Conflicts' : '! Warnings'} (${map.conflicts.length})</h2>
<p class="note">Click a row to show what it concerns. Each band it touches is hatched in the picture.</p>
<table><thead><tr><th>severity</th><th>code</th><th>problem</th><th>where</th></tr></thead><tbody>
${map.conflicts
  .map(
    (c) =>
      `<tr class="${c.severity === 'error' ? 'conflict' : 'warning'}" id="row-${esc(c.id)}" data-conflict="${esc(c.id)}" data-code="${esc(c.code)}" data-items="${esc(c.items.join(' '))}"><td class="sev-${c.severity}">${c.severity}</td><td><code>${esc(c.code)}</code> ${esc(c.name)}</td><td>${esc(c.message)}${c.related.map((r) => `<br>↳ ${esc(r.message)}${r.at ? ` — <code>${esc(r.at.text)}</code>` : ''}`).join('')}</td><td><code>${esc(c.at?.text ?? '')}</code></td></tr>`,
  )
  .join('\n')}
</tbody></table></section>`
    : '';
  const space = map.host
    .map((s) => {
      const claims = s.claims.map((id) => map.claims.find((c) => c.id === id)!);
      const where = claims.map((c) => c.claimedAt?.text ?? '').filter(Boolean);
      return `<tr${cls(map, s.conflicts)} data-segment="${esc(s.id)}" data-owner="${esc(s.owner)}"><td class="mono">${esc(addr(s.range.base))} – ${esc(addr(end(s.range)))}</td><td class="nowrap">${esc(formatSize(s.range.size))}</td><td class="nowrap">${swatch(map, s.owner)}${esc(ownerLabel(map, s.owner))}</td><td>${esc(s.claims.length ? claims.map((c) => c.detail).join('; ') : 'free RAM')}</td><td><code>${esc(where.join(', '))}</code></td></tr>`;
    })
    .join('\n');
  const guestRows = map.guests
    .flatMap((g) =>
      g.regions.map(
        (r) =>
          `<tr${cls(map, r.conflicts)} data-region="${esc(r.id)}" data-guest="${esc(g.name)}"><td>${swatch(map, g.owner)}${esc(g.name)}</td><td>${esc(r.kind === 'ram' ? 'RAM' : r.kind === 'emulated' ? r.label : `${r.label} · passthrough`)}</td><td class="mono">${esc(formatRange(r.range))}</td><td class="mono">${r.pa !== undefined ? esc(formatRange({ base: r.pa, size: r.range.size })) : r.kind === 'emulated' ? '— (trapped)' : 'not placed'}</td><td>${esc(r.detail)}</td><td><code>${esc(r.claimedAt?.text ?? '')}</code></td></tr>`,
      ),
    )
    .join('\n');
  const cpus = cpuRows(map)
    .map(({ c, cells }) => `<tr${cls(map, c.conflicts)} id="row-${esc(c.id)}" data-cpu="${esc(c.path)}" data-owner="${esc(c.owner)}"><td class="mono">${esc(cells[0]!)}</td><td class="mono">${esc(cells[1]!)}</td><td>${swatch(map, c.owner)}${esc(cells[2]!)}</td><td>${esc(cells[3]!)}</td><td>${esc(cells[4]!)}</td><td><code>${esc(cells[5]!)}</code></td></tr>`)
    .join('\n');
  const irqs = irqRows(map)
    .map(({ i, cells }) => `<tr${cls(map, i.conflicts)} id="row-${esc(i.id)}" data-irq="${i.intid}" data-space="${esc(i.space)}" data-owner="${esc(i.owner)}"><td>${esc(cells[0]!)}</td><td class="mono">${esc(cells[1]!)}</td><td class="mono">${esc(cells[2]!)}</td><td>${swatch(map, i.owner)}${esc(cells[3]!)}</td><td>${esc(cells[4]!)}</td><td><code>${esc(cells[5]!)}</code></td></tr>`)
    .join('\n');
  const json = JSON.stringify(mapJson(map)).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="hvcc ${esc(version)}">
<title>${esc(`${map.system} — hvcc map`)}</title>
<style>${CSS}</style>
</head>
<body data-system="${esc(map.system)}" data-errors="${map.errors}" data-warnings="${map.warnings}">
<header>
<h1><span class="tool">hvcc map ·</span> ${esc(map.system)} ${pill}</h1>
<div class="meta"><code>${esc(map.file)}</code> · board ${esc(map.board)}${map.complete ? '' : ' · the description has errors: RAM placement computed from what could be read'}</div>
</header>
<main>
<div class="cards">
<div class="card"><div class="k">RAM</div><div class="v">${esc(formatSize(ramTotal))}</div><div class="s">${esc(formatSize(ramFree))} free</div></div>
<div class="card"><div class="k">Guests</div><div class="v">${map.guests.length}</div><div class="s">${esc(map.guests.map((g) => g.name).join(', ') || 'none')}</div></div>
<div class="card"><div class="k">CPUs</div><div class="v">${cpusUsed} / ${map.cpus.length}</div><div class="s">running guests</div></div>
<div class="card"><div class="k">Problems</div><div class="v"${map.errors ? ` style="color:${CONFLICT_COLOR}"` : ''}>${map.errors + map.warnings}</div><div class="s">${map.errors} error${map.errors === 1 ? '' : 's'}, ${map.warnings} warning${map.warnings === 1 ? '' : 's'}</div></div>
</div>
${conflicts}
<section aria-labelledby="map-h"><h2 id="map-h">Memory map</h2>
<ul class="legend" aria-label="legend">${legendItems}${map.conflicts.some((c) => c.severity === 'warning') ? '<li data-owner="warning"><span class="sw warning" aria-hidden="true"></span>! warning</li>' : ''}<li data-owner="conflict"><span class="sw conflict" aria-hidden="true"></span>⚠ conflict</li></ul>
${ramBars(map)}
<div class="layout">
<div class="figure-wrap"><svg id="figure" xmlns="http://www.w3.org/2000/svg" width="${fig.width}" height="${fig.height}" viewBox="0 0 ${fig.width} ${fig.height}" font-family="${esc(FONT)}" role="group" aria-label="host-physical and guest-physical address spaces">${defs()}${fig.body}</svg></div>
<aside id="details" aria-live="polite"><h2>Details</h2><p class="hint">Hover over, tab to or click a band to see its range, its owner and where in the description it was claimed. A click pins it; Esc releases. <code>#band=ID</code> at the end of the address pins one.</p><p class="hint">${esc(SCALE_NOTE)}</p></aside>
</div>
</section>
<section aria-labelledby="space-h"><h2 id="space-h">Host physical address space</h2>
<table><thead><tr><th>range</th><th>size</th><th>owner</th><th>what</th><th>claimed at</th></tr></thead><tbody>
${space}
</tbody></table></section>
<section aria-labelledby="guests-h"><h2 id="guests-h">Guest physical address spaces</h2>
<table><thead><tr><th>guest</th><th>region</th><th>guest-physical</th><th>host-physical</th><th>what</th><th>claimed at</th></tr></thead><tbody>
${guestRows}
</tbody></table></section>
<section aria-labelledby="cpus-h"><h2 id="cpus-h">CPUs</h2>
<table><thead><tr><th>CPU</th><th>hardware ID</th><th>owner</th><th>runs</th><th>notes</th><th>assigned at</th></tr></thead><tbody>
${cpus}
</tbody></table></section>
<section aria-labelledby="irqs-h"><h2 id="irqs-h">Interrupts</h2>
<table><thead><tr><th>controller</th><th>interrupt</th><th>device</th><th>owner</th><th>what</th><th>declared at</th></tr></thead><tbody>
${irqs || '<tr><td colspan="6">none</td></tr>'}
</tbody></table></section>
</main>
<footer>generated by hvcc ${esc(version)} from <code>${esc(map.file)}</code>; this file needs no network.</footer>
<script type="application/json" id="map-data">${json}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
