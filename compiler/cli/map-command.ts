import { writeFileAtomic } from '../fs/files.js';
import { resolve } from 'node:path';
import { analyze, type AnalyzeOptions } from '../driver/analyze.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { printDiagnostics, type Io } from './output.js';
import { hvccVersion } from '../paths.js';
import { formatRange, formatSize } from '../util/ranges.js';
import { ledger, ledgerText } from '../map/ledger.js';
import { buildSystemMap, type SystemMap } from '../map/model.js';
import { htmlDocument, mapJson } from '../map/render-html.js';
import { ownerLabel, svgDocument } from '../map/render-svg.js';

import { MAP_FORMATS, type MapFormat } from './formats.js';

export { MAP_FORMATS, type MapFormat };

/** The ledger's text for a description with errors: the map's host ranges, guests and conflicts. */
export function mapText(map: SystemMap): string {
  const lines: string[] = [`(the description has errors: host placement computed from what could be read)`, '', 'Host physical:'];
  const w = map.host.reduce((width, s) => Math.max(width, formatRange(s.range).length), 0);
  for (const s of map.host) lines.push(`  ${formatRange(s.range).padEnd(w)}  ${ownerLabel(map, s.owner).padEnd(14)}  ${s.label}, ${formatSize(s.range.size)}${s.conflicts.length ? `  ⚠ ${s.conflicts.map((c) => map.conflicts.find((x) => x.id === c)!.code).join(' ')}` : ''}`);
  for (const g of map.guests) {
    lines.push('', `Guest ${g.name}:`);
    for (const r of g.regions) lines.push(`  ${formatRange(r.range)}  ${r.kind === 'ram' ? 'RAM' : r.label}  ${r.detail}${r.conflicts.length ? `  ⚠ ${r.conflicts.map((c) => map.conflicts.find((x) => x.id === c)!.code).join(' ')}` : ''}`);
  }
  lines.push('', 'CPUs:');
  for (const c of map.cpus) lines.push(`  ${c.path}  ${ownerLabel(map, c.owner)}${c.vcpus.length ? '  ' + c.vcpus.map((v) => `${v.guest} vCPU ${v.vcpu}`).join(', ') : ''}${c.conflicts.length ? '  ⚠' : ''}`);
  lines.push('', 'Conflicts:');
  for (const c of map.conflicts) lines.push(`  ${c.code}  ${c.message}${c.at ? `  (${c.at.text})` : ''}`);
  return lines.join('\n') + '\n';
}

export interface MapCommand extends Omit<AnalyzeOptions, 'file'> {
  file: string;
  format: MapFormat;
  /** Write here instead of stdout. */
  output?: string | undefined;
}

/**
 * `hvcc map`: exit 0 on a clean description (warnings allowed), 1 when it has errors — the map is still
 * written, from what the passes computed, its conflicts marked, unless not even the model could be read.
 * Usage errors (2) are the CLI's.
 */
export function runMap(io: Io, options: MapCommand): number {
  const analysis = analyze(options);
  const built = buildSystemMap({ analysis, cwd: io.cwd });
  const diagnostics = [...analysis.diagnostics, ...built.diagnostics];
  printDiagnostics(io, diagnostics, analysis.sources);
  const failed = hasErrors(diagnostics);
  const map = built.map;
  if (!map) return 1;
  const version = hvccVersion();
  let out: string;
  switch (options.format) {
    case 'html':
      out = htmlDocument(map, version);
      break;
    case 'svg':
      out = svgDocument(map, version);
      break;
    case 'json': {
      const entries = analysis.system && analysis.layout ? ledger(analysis.system, analysis.layout) : [];
      out = JSON.stringify({ version: 1, system: map.system, entries, map: mapJson(map) }, null, 2) + '\n';
      break;
    }
    default:
      out = analysis.system && analysis.layout ? ledgerText(ledger(analysis.system, analysis.layout)) : mapText(map);
  }
  if (options.output) {
    const written = writeFileAtomic(resolve(io.cwd, options.output), out, { what: 'the map (-o)', written: options.output });
    if (!written.ok) {
      printDiagnostics(io, [written.diagnostic], analysis.sources);
      return 1;
    }
    io.stderr(`hvcc: wrote ${options.output}\n`);
  } else io.stdout(out);
  return failed ? 1 : 0;
}
