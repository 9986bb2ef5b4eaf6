/**
 * Messages read as sentences. Every catalogue summary, and every message template in the compiler's sources
 * (the string and template literals passed to `diagnostic(...)` and the helpers that make diagnostics —
 * `report`, `fail`, `err`, `warn`, ... — and the `what`/`help`/`notes`/`message` texts), is scanned for the slips that had crept in: "of A guest" (a capital in mid-sentence), "a 'image'"
 * (an article that does not fit the quoted word), "guest 'x''s RAM" (a possessive on a quote), doubled
 * spaces, doubled words. A template that puts an article before an interpolated word must use
 * `withArticle` (compiler/util/text.ts), which this test also checks.
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { catalogue } from '../../../compiler/messages/catalogue.js';
import { packageRoot } from '../../../compiler/paths.js';
import { article, withArticle } from '../../../compiler/util/text.js';

/** Slips a sentence must not have; `${…}` in a template is read as the placeholder X. */
const SLIPS: { what: string; re: RegExp }[] = [
  { what: 'a capital letter after a lowercase word (of A guest)', re: /\b[a-z]+ (?:A|An|The) [a-z]/ },
  { what: "a possessive on a quoted name (''s)", re: /''s\b|'X's\b/ },
  { what: 'a before a quoted word starting with a vowel', re: /\ba '[aeiouAEIOU]/ },
  { what: 'an before a quoted word starting with a consonant', re: /\ban '[b-df-hj-np-tv-zB-DF-HJ-NP-TV-Z]/ },
  { what: 'an article before an interpolated word (use withArticle)', re: /\b[aA]n? '?X\b/ },
  { what: 'a doubled space', re: /\S {2,}\S/ },
  { what: 'a doubled word', re: /\b(a|an|the|of|to|is|in|not)\s+\1\b/i },
  { what: 'a space before a comma or full stop', re: /\w [,.](?:\s|$)/ },
];

function slips(text: string): string[] {
  return SLIPS.filter((s) => s.re.test(text)).map((s) => s.what);
}

/** Files whose words are another tool's, kept byte for byte (dtc's, Linux conf's and mconf's). */
const OTHER_TOOLS = new Set(['compiler/dts/checks.ts', 'compiler/dts/dtc-cli.ts', 'compiler/kconfig/conf-cli.ts', 'compiler/kconfig/menuconfig.ts', 'compiler/cli/fdtoverlay.ts']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/**
 * The string and template literals inside each call of `diagnostic(` (to its closing parenthesis) and in
 * `what:`/`help:`/`notes:` properties, with `${…}` as X. A small scanner: strings, templates (nested
 * `${}`), comments.
 */
export function messageLiterals(source: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const seen = new Set<number>();
  const lineAt = (i: number) => source.slice(0, i).split('\n').length;
  // Where message text starts: a diagnostic( call, or a property naming message text.
  const starts = [...source.matchAll(/\b(?:diagnostic|report|fail|err|warn|warning|error|problem|StatementError|OverlayError|WarningSwitchError|notes\.push)\(|\b(?:what|help|message|of)\??: |\bnotes: \[/g)].map((m) => ({ at: m.index! + m[0].length, call: m[0].endsWith('(') }));
  for (const { at, call } of starts) {
    let depth = call ? 1 : 0;
    let i = at;
    for (; i < source.length; ) {
      const c = source[i]!;
      if (c === "'" || c === '"' || c === '`') {
        const [text, next] = readLiteral(source, i);
        if (!seen.has(i)) out.push({ line: lineAt(i), text });
        seen.add(i);
        i = next;
        if (!call && depth === 0) break;
        continue;
      }
      if (c === '/' && source[i + 1] === '/') {
        i = source.indexOf('\n', i);
        if (i < 0) break;
        continue;
      }
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') {
        depth--;
        if (depth <= 0) break;
      } else if (!call && depth === 0 && (c === ',' || c === '\n')) break;
      i++;
    }
  }
  return out;
}

function readLiteral(s: string, start: number): [string, number] {
  const q = s[start]!;
  let text = '';
  let i = start + 1;
  while (i < s.length && s[i] !== q) {
    if (s[i] === '\\') {
      text += s[i + 1] === 'n' ? '\n' : s[i + 1];
      i += 2;
    } else if (q === '`' && s[i] === '$' && s[i + 1] === '{') {
      let depth = 1;
      i += 2;
      while (i < s.length && depth > 0) {
        if (s[i] === '`' || s[i] === "'" || s[i] === '"') i = readLiteral(s, i)[1];
        else {
          if (s[i] === '{') depth++;
          else if (s[i] === '}') depth--;
          i++;
        }
      }
      text += 'X';
    } else text += s[i++];
  }
  return [text, i + 1];
}

describe('catalogue summaries', () => {
  const all = catalogue.flatMap((a) => a.messages);
  test.each(all.map((m) => [m.code, m.summary] as const))('%s reads as a sentence (and ends as one)', (_code, summary) => {
    expect(slips(summary)).toEqual([]);
    expect(summary).toMatch(/[.)]$/);
  });
});

describe('message templates in the sources', () => {
  const files = sourceFiles(join(packageRoot, 'compiler'))
    .map((f) => relative(packageRoot, f))
    .filter((f) => !OTHER_TOOLS.has(f));

  test('the scanner finds the templates (and the slips it is for)', () => {
    const found = messageLiterals("diagnostic(M.x, `cannot read image '${a}' of guest '${g.name}''s RAM`, span, { help: 'a  b', notes: [`needs a '${n}' property`] })");
    expect(found.map((f) => f.text)).toEqual(["cannot read image 'X' of guest 'X''s RAM", 'a  b', "needs a 'X' property"]);
    expect(found.flatMap((f) => slips(f.text))).toEqual(["a possessive on a quoted name (''s)", 'a doubled space', 'an article before an interpolated word (use withArticle)']);
    expect(slips('the image of A guest')).toEqual(['a capital letter after a lowercase word (of A guest)']);
    expect(slips("needs a 'image' property")).toEqual(['a before a quoted word starting with a vowel']);
    // Enough templates are seen for the scan to mean something.
    const total = files.reduce((n, f) => n + messageLiterals(readFileSync(join(packageRoot, f), 'utf8')).length, 0);
    expect(total).toBeGreaterThan(350);
  });

  test.each(files)('%s', (file) => {
    const bad = messageLiterals(readFileSync(join(packageRoot, file), 'utf8')).flatMap(({ line, text }) => slips(text).map((s) => `${file}:${line}: ${s}: ${JSON.stringify(text)}`));
    expect(bad).toEqual([]);
  });
});

test('withArticle', () => {
  expect(["'image'", "'reg'", "'interrupts'", "'#address-cells'", 'aarch64', 'riscv64', "'uart'", 'SPI', 'MMIO window', 'HV code'].map(withArticle)).toEqual([
    "an 'image'",
    "a 'reg'",
    "an 'interrupts'",
    "a '#address-cells'",
    'an aarch64',
    'a riscv64',
    "a 'uart'",
    'an SPI',
    'an MMIO window',
    'an HV code',
  ]);
  expect(article('unit address')).toBe('a');
});
