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
  return pageBlocks(markdown)
    .filter((b) => b.lang === 'dts' && b.kind !== undefined && b.file === undefined)
    .map((b) => ({ kind: b.kind!, source: b.text }));
}

/**
 * A fenced block of an explanation page: its language (`dts`, `kconfig` for Kconfig source, `config` for a
 * .config, `sh` for hvcc command lines), the example it belongs to (under "## Wrong" or "## Corrected";
 * none before them), and `file=NAME` when it is a file the examples use rather than an example itself.
 */
export interface PageBlock {
  lang: string;
  kind?: 'wrong' | 'corrected';
  file?: string;
  /** Other words of the info string (e.g. `no-final-newline`). */
  flags: string[];
  text: string;
}

export function pageBlocks(markdown: string): PageBlock[] {
  const out: PageBlock[] = [];
  let kind: PageBlock['kind'];
  const re = /^## (.*?)\s*$|^```(\S+)([^\n]*)\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    if (m[1] !== undefined) {
      kind = m[1] === 'Wrong' ? 'wrong' : m[1] === 'Corrected' ? 'corrected' : undefined;
      continue;
    }
    const words = m[3]!.trim().split(/\s+/).filter((w) => w.length > 0);
    const file = words.find((w) => w.startsWith('file='))?.slice(5);
    const flags = words.filter((w) => !w.startsWith('file='));
    let text = m[4]!;
    if (flags.includes('no-final-newline')) text = text.replace(/\n$/, '');
    out.push({ lang: m[2]!, ...(kind ? { kind } : {}), ...(file !== undefined ? { file } : {}), flags, text });
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
