import { catalogue } from '../diagnostics/catalogue.js';

/** docs/diagnostics.md, generated from the message catalogue (`npm run docs`; a test keeps it current). */
export function diagnosticsMarkdown(): string {
  const out = [
    '# Diagnostics',
    '',
    '<!-- Generated from the message catalogue by `npm run docs`; do not edit. -->',
    '',
    'Every message hvcc prints has a stable code and a name. For checks, the name is what `-W no-<name>` switches',
    'off; `--werror` turns warnings into errors. `hvcc explain CODE` prints the long explanation where there is one.',
    '',
  ];
  for (const area of catalogue) {
    out.push(`## ${area.area}`, '', '| code | name | severity | meaning |', '| --- | --- | --- | --- |');
    for (const m of area.messages) out.push(`| ${m.code} | \`${m.name}\` | ${m.severity} | ${m.summary.replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  return out.join('\n');
}
