import { CATEGORY_TITLES, type Change, type ChangeCategory } from './diff.js';

export const DIFF_FORMATS = ['text', 'json', 'markdown'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

export interface DiffReport {
  old: string;
  new: string;
  changes: Change[];
  /** Problems that make the comparison incomplete: "NEW has 2 errors". */
  problems: string[];
}

function groups(changes: Change[]): [ChangeCategory, Change[]][] {
  const out: [ChangeCategory, Change[]][] = [];
  for (const c of changes) {
    const last = out[out.length - 1];
    if (last && last[0] === c.category) last[1].push(c);
    else out.push([c.category, [c]]);
  }
  return out;
}

const SIGN: Record<string, string> = { added: '+', removed: '-' };
function sign(c: Change): string {
  const tail = c.kind.slice(c.kind.lastIndexOf('-') + 1);
  return SIGN[tail] ?? '~';
}

/** The kind without its category: "memory-resized" → "resized", "guest-added" → "added". */
export function changeName(c: Change): string {
  const KNOWN: Record<string, string> = { 'memory-host-moved': 'moved in host RAM', 'memory-moved': 'moved (guest-physical)', 'cpus-reassigned': 'reassigned', 'interrupt-moved': 'interrupts changed', 'device-rewired': 'rewired', 'hypervisor-memory': 'memory', 'hypervisor-console': 'console', 'passthrough-added': 'passed through', 'passthrough-removed': 'no longer passed through' };
  return KNOWN[c.kind] ?? c.kind.slice(c.kind.indexOf('-') + 1).replace(/-/g, ' ');
}

function count(n: number): string {
  return `${n} change${n === 1 ? '' : 's'}`;
}

export function diffText(r: DiffReport): string {
  const lines = [`hvcc diff: ${r.old} → ${r.new}: ${r.changes.length ? count(r.changes.length) : 'no changes in the system'}`];
  for (const p of r.problems) lines.push(`  (${p})`);
  for (const [cat, cs] of groups(r.changes)) {
    lines.push('', `${CATEGORY_TITLES[cat]}:`);
    for (const c of cs) lines.push(`  ${sign(c)} ${c.summary}`);
  }
  return lines.join('\n') + '\n';
}

export function diffJson(r: DiffReport): unknown {
  return { version: 1, old: r.old, new: r.new, changed: r.changes.length > 0, problems: r.problems, changes: r.changes.map((c) => ({ category: c.category, kind: c.kind, subject: c.subject, old: c.old ?? null, new: c.new ?? null, summary: c.summary })) };
}

/** Markdown for a pull-request comment: a summary line, then one table per kind of change. */
export function diffMarkdown(r: DiffReport): string {
  const cell = (s: string | undefined) => (s === undefined ? '—' : s.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/`/g, "'"));
  const lines = ['<!-- hvcc-diff -->', `### hvcc diff: \`${cell(r.new)}\``, ''];
  if (r.changes.length === 0) lines.push(`**No changes in the system** (compared with \`${cell(r.old)}\`): the descriptions differ only in how they are written, if at all.`);
  else lines.push(`**${count(r.changes.length)} in the system** — \`${cell(r.old)}\` → \`${cell(r.new)}\`: ${groups(r.changes).map(([cat, cs]) => `${CATEGORY_TITLES[cat].toLowerCase()} ${cs.length}`).join(', ')}.`);
  for (const p of r.problems) lines.push('', `> ⚠ ${cell(p)}`);
  for (const [cat, cs] of groups(r.changes)) {
    lines.push('', `#### ${CATEGORY_TITLES[cat]}`, '', '| | change | what | old | new |', '| --- | --- | --- | --- | --- |');
    for (const c of cs) lines.push(`| ${sign(c) === '+' ? '➕' : sign(c) === '-' ? '➖' : '✏️'} | ${cell(changeName(c))} | ${cell(c.subject)} | ${cell(c.old)} | ${cell(c.new)} |`);
  }
  return lines.join('\n') + '\n';
}
