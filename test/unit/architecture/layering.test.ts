/**
 * The shape of the code, kept by tests: architecture knowledge only in compiler/arch/ and runtime/arch/,
 * passes that do not import each other in a circle, no module-level mutable state in the front end and the
 * checks.
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { packageRoot } from '../../../compiler/paths.js';

function files(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...files(p, ext));
    else if (ext.test(e)) out.push(p);
  }
  return out;
}

const rel = (p: string) => relative(packageRoot, p);
const compilerFiles = files(join(packageRoot, 'compiler'), /\.(ts|hbs)$/);
const schemaFiles = files(join(packageRoot, 'schemas'), /\.ts$/);

describe('architecture knowledge', () => {
  test('no compiler file outside compiler/arch/, and no schema, names an architecture, interrupt controller, firmware interface or device', () => {
    const words = /\b(gic(v\d)?|psci|aarch64|arm64|pl011|cortex(-a\d+)?|mpidr|esr|vtcr|el2|riscv(64)?|rv64\w*|plic|clint|sbi|opensbi|hgatp|satp|sv39(x4)?|hart|ns16550a?)\b/i;
    const offenders = [...compilerFiles.filter((f) => !rel(f).startsWith('compiler/arch/')), ...schemaFiles].flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (words.test(line) ? [`${rel(f)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offenders).toEqual([]);
  });

  test('runtime/core names no aarch64 register or firmware interface', () => {
    const words = /esr|mpidr|smccc|vtcr|aarch64|riscv|hgatp|hstatus|scause|sstatus|\bsbi\b|\bhart\b|sv39/i;
    const core = files(join(packageRoot, 'runtime', 'core'), /./);
    const offenders = core.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (words.test(line) ? [`${rel(f)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offenders).toEqual([]);
  });

  test('the components of one architecture live under runtime/arch/<arch>/', () => {
    const manifests = files(join(packageRoot, 'runtime'), /^manifest\.json$/).map((f) => ({ f: rel(f), m: JSON.parse(readFileSync(f, 'utf8')) as { arch?: string[] } }));
    for (const arch of ['aarch64', 'riscv64']) for (const { f, m } of manifests) if ((m.arch ?? []).includes(arch)) expect(f).toMatch(new RegExp(`^runtime/arch/${arch}/`));
  });
});

describe('module structure', () => {
  test('no import cycle between the folders of compiler/ and schemas/', () => {
    const folderOf = (p: string): string => {
      const parts = rel(p).split('/');
      return parts[0] === 'schemas' ? 'schemas' : parts.length > 2 ? `compiler/${parts[1]}` : 'compiler';
    };
    const edges = new Map<string, Set<string>>();
    for (const f of [...compilerFiles.filter((x) => x.endsWith('.ts')), ...schemaFiles]) {
      for (const m of readFileSync(f, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const target = normalize(join(dirname(f), m[1]!));
        const [a, b] = [folderOf(f), folderOf(target)];
        if (a !== b) edges.set(a, (edges.get(a) ?? new Set()).add(b));
      }
    }
    // Depth-first search for a back edge; report the cycle it closes.
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const cycles: string[] = [];
    const visit = (n: string) => {
      state.set(n, 'open');
      stack.push(n);
      for (const m of edges.get(n) ?? []) {
        if (state.get(m) === 'open') cycles.push([...stack.slice(stack.indexOf(m)), m].join(' -> '));
        else if (!state.has(m)) visit(m);
      }
      stack.pop();
      state.set(n, 'done');
    };
    for (const n of edges.keys()) if (!state.has(n)) visit(n);
    expect(cycles).toEqual([]);
    // The driver folder is named for what it does (tools skip folders named build/ as output).
    expect(edges.has('compiler/build')).toBe(false);
  });

  test('the device-tree front end and the checks keep no module-level mutable state', () => {
    const dirs = ['compiler/dts', 'compiler/checks'];
    const offenders = compilerFiles
      .filter((f) => dirs.some((d) => rel(f).startsWith(d + '/')))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .flatMap((line, i) => (/^(export )?(let|var) /.test(line) ? [`${rel(f)}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(offenders).toEqual([]);
  });
});
