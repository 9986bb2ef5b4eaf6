import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findMessage } from '../messages/catalogue.js';
import { packageRoot } from '../paths.js';

/** Where the long explanations live: docs/explain/<CODE>.md, one per code, like rustc's error-code pages. */
export const explanationsDir = join(packageRoot, 'docs', 'explain');

export interface ExplanationExample {
  kind: 'wrong' | 'corrected';
  /** A description (a ```dts block); absent for an example that is only components or a command. */
  source?: string;
  /** Component files (```json component/NAME/FILE blocks) the example puts on the component search path. */
  components: { path: string; text: string }[];
  /** A command line (a ```sh block starting with `hvcc `), run as it is from the repository's root. */
  command?: string[];
}

/**
 * The examples under "## Wrong" and "## Corrected", which the test suite runs: each ```dts block is a
 * description checked with the component files (```json component/NAME/FILE blocks) shown before it in
 * its section; a section with component files and no description checks them against examples/two-guests;
 * a ```sh block is an `hvcc` command line.
 */
export function examples(markdown: string): ExplanationExample[] {
  const out: ExplanationExample[] = [];
  let kind: ExplanationExample['kind'] | undefined;
  let components: ExplanationExample['components'] = [];
  let used = true;
  const flush = () => {
    if (kind && !used) out.push({ kind, components });
  };
  const re = /^## (Wrong|Corrected)\s*$|^## |^```(dts|sh|json component\/([^\s]+))\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    if (m[0].startsWith('## ')) {
      flush();
      kind = m[1] === 'Wrong' ? 'wrong' : m[1] === 'Corrected' ? 'corrected' : undefined;
      components = [];
      used = true;
      continue;
    }
    if (!kind) continue;
    const body = m[4] ?? '';
    if (m[2] === 'dts') {
      out.push({ kind, source: body, components });
      used = true;
    } else if (m[2] === 'sh') {
      const line = body.trim();
      if (line.startsWith('hvcc ')) out.push({ kind, components, command: line.split(/\s+/).slice(1) });
    } else if (m[3]) {
      components = [...components, { path: m[3], text: body }];
      used = false;
    }
  }
  flush();
  return out;
}

export function explanationPath(code: string): string {
  return join(explanationsDir, `${code}.md`);
}

/** The text `hvcc explain CODE` prints: the page when there is one, else the catalogue's summary. */
export function explain(codeOrName: string): string | undefined {
  const message = findMessage(codeOrName);
  if (!message) return undefined;
  const path = explanationPath(message.code);
  if (existsSync(path)) return readFileSync(path, 'utf8');
  return `# ${message.code}: ${message.name} (${message.severity})\n\n${message.summary}\n`;
}
