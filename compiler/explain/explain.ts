import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findMessage } from '../messages/catalogue.js';
import { packageRoot } from '../paths.js';

/** Where the long explanations live: docs/explain/<CODE>.md, one per code, like rustc's error-code pages. */
export const explanationsDir = join(packageRoot, 'docs', 'explain');

export interface ExplanationExample {
  kind: 'wrong' | 'corrected';
  source: string;
}

/** The ```dts blocks under "## Wrong" and "## Corrected": the test suite runs them through the checker. */
export function examples(markdown: string): ExplanationExample[] {
  const out: ExplanationExample[] = [];
  let kind: ExplanationExample['kind'] | undefined;
  const re = /^## (Wrong|Corrected)\s*$|^```dts\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    if (m[1]) kind = m[1] === 'Wrong' ? 'wrong' : 'corrected';
    else if (kind && m[2] !== undefined) out.push({ kind, source: m[2] });
  }
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
