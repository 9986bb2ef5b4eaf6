/**
 * `npm run fuzz -- [--cases N] [--seed S] [--from I]`: the mutation fuzzer at scale (test/support/mutation-fuzz.ts).
 * Prints the figures and each distinct finding (with the case that shows it); exit 1 when there are findings.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { relative } from 'node:path';
import { packageRoot } from '../../compiler/paths.js';
import { fuzz } from './mutation-fuzz.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const cases = arg('cases', 100_000);
const seed = arg('seed', 1);
const from = arg('from', 0);
// --trace FILE: the case about to run, written before it runs (a case that ends the process is found there).
const traceAt = process.argv.indexOf('--trace');
const trace = traceAt < 0 ? undefined : openSync(process.argv[traceAt + 1]!, 'w');
const run = fuzz({
  seed,
  cases,
  from,
  maxFindings: 100_000,
  progress: (n) => n % 10_000 === 0 && process.stderr.write(`fuzz: ${n} cases\n`),
  ...(trace === undefined ? {} : { before: (i: number) => writeSync(trace, `${i}\n`, 0) }),
});
if (trace !== undefined) closeSync(trace);
// One line per kind of finding (numbers and names blurred), with its first case.
const kinds = new Map<string, { count: number; first: (typeof run.findings)[number] }>();
for (const f of run.findings) {
  const key = f.what.split('\n')[0]!.replace(/'[^']*'|"[^"]*"|0x[0-9a-f]+|\d+/gi, '#').slice(0, 160);
  const k = kinds.get(key);
  if (k) k.count++;
  else kinds.set(key, { count: 1, first: f });
}
console.log(`mutation fuzz: seed ${seed}, cases ${from}-${from + cases - 1}: ${run.cases} cases in ${run.seconds.toFixed(1)} s (${(run.cases / run.seconds).toFixed(0)}/s), ${run.findings.length} findings in ${run.cases - run.clean} cases, ${kinds.size} kinds`);
for (const [key, k] of kinds) {
  console.log(`\n${k.count} x ${key}\n  case ${k.first.case.index} (${relative(packageRoot, k.first.case.entry)}: ${k.first.case.steps.join(', ')})\n  ${k.first.what.split('\n').join('\n  ')}`);
}
process.exitCode = run.findings.length > 0 ? 1 : 0;
