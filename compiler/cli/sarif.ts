import { pathToFileURL } from 'node:url';
import { isAbsolute, relative, sep } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Span } from '../diagnostics/span.js';
import { catalogue } from '../messages/catalogue.js';

/**
 * SARIF 2.1.0 for code scanning: one run, the catalogue's messages as rules, one result per diagnostic.
 * Paths are relative to `root` (uriBaseId %SRCROOT%) so a CI job can annotate a pull request's lines.
 */
export function toSarif(diagnostics: readonly Diagnostic[], options: { root: string; version: string }) {
  const rules = catalogue.flatMap((a) => a.messages);
  const ruleIndex = new Map(rules.map((r, i) => [r.code, i]));
  const level = (s: Diagnostic['severity']) => (s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note');
  const location = (span: Span) => {
    const rel = relative(options.root, span.file);
    const inside = rel !== '' && !isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`);
    return {
      physicalLocation: {
        // A relative URI reference: each path segment percent-encoded (a space or '#' in a folder name would
        // otherwise make it invalid, and code scanning would drop the location).
        artifactLocation: inside ? { uri: rel.split(sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' } : { uri: pathToFileURL(span.file).href },
        region: { startLine: span.start.line, startColumn: span.start.column, endLine: span.end.line, endColumn: Math.max(span.end.column, span.start.line === span.end.line ? span.start.column + 1 : 1) },
      },
    };
  };
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'hvcc',
            version: options.version,
            rules: rules.map((r) => ({
              id: r.code,
              name: r.name,
              shortDescription: { text: r.summary },
              defaultConfiguration: { level: level(r.severity) },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(options.root + sep).href } },
        results: diagnostics.map((d) => {
          const text = [d.message, ...d.notes.map((n) => `note: ${n}`), ...(d.help ? [`help: ${d.help}`] : [])].join('\n');
          const result: Record<string, unknown> = {
            ruleId: d.code,
            level: level(d.severity),
            message: { text },
            locations: d.span ? [location(d.span)] : [],
          };
          const index = ruleIndex.get(d.code);
          if (index !== undefined) result.ruleIndex = index;
          if (d.related.length > 0) result.relatedLocations = d.related.map((r, i) => ({ id: i, ...location(r.span), message: { text: r.message } }));
          return result;
        }),
      },
    ],
  };
}
