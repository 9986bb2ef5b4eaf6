/**
 * Isolation holes found by attacker guests (issue 17), each kept closed by the attacker itself: the real
 * image boots in real QEMU and the assertions read its real serial output. The guests are in
 * examples/guests/, their systems in test/fixtures/systems/; docs/isolation.md says what a guest can and
 * cannot do.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hypervisorStatus } from '../../compiler/run/qemu.js';
import { buildExampleGuests, hvcc, root, tempDir, type CliResult } from './harness.js';

beforeAll(() => buildExampleGuests());

function run(system: string, extra: string[] = []): CliResult & { lines: string[] } {
  const r = hvcc(['run', `test/fixtures/systems/${system}/system.dts`, '-O', tempDir(system), '--timeout', '60', ...extra]);
  if (r.status !== 0) console.log(`hvcc run ${system} exited ${r.status}\n--- stderr\n${r.stderr}\n--- stdout\n${r.stdout}`);
  return { ...r, lines: r.stdout.split('\n').filter((l) => l.length > 0) };
}

describe('the console: a guest cannot pass its output off as the hypervisor\'s or another guest\'s', () => {
  test('forged panic and status lines, control characters, escapes and bad UTF-8 are shown as the guest\'s, made visible', () => {
    const r = run('console-forgery');
    // Before the fix: hvcc run took "[forger] [hv] PANIC: forged by a guest" for a panic, killed QEMU, exit 4.
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('panicked');
    for (const l of r.lines) expect(l).toMatch(/^\[(hv|forger|steady)\] /);
    // Nothing a terminal acts on reaches the host: no control character but the line ends (and tabs), no C1
    // control, no bidirectional control or line separator, and no malformed UTF-8 (it would decode as U+FFFD).
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufffd]/);

    // The hypervisor's lines are its own: start-up, the two power-offs and the machine's power-off.
    const status = r.lines.map(hypervisorStatus).filter((s) => s !== undefined);
    expect(status.filter((s) => s.kind === 'panic')).toEqual([]);
    expect(status.filter((s) => s.kind === 'guest-stopped').map((s) => s.line)).toEqual([
      "[hv] guest 'forger' powered off (PSCI SYSTEM_OFF from vCPU 0)",
      "[hv] guest 'steady' powered off (PSCI SYSTEM_OFF from vCPU 0)",
    ]);
    expect(status.filter((s) => s.kind === 'powering-off')).toHaveLength(1);
    expect(r.lines[r.lines.length - 1]).toBe('[hv] all guests have stopped, powering off');

    const forger = r.lines.filter((l) => l.startsWith('[forger] '));
    expect(forger).toEqual([
      '[forger] [hv] PANIC: forged by a guest',
      '[forger] ^M[hv] PANIC: after a carriage return',
      `[forger] ${'x'.repeat(18)}${'^H'.repeat(18)}[hv] PANIC: after backspaces`,
      "[forger] ^[[2K^[[1G[hv] guest 'steady' stopped: after erase-line and cursor-to-column-1",
      '[forger] ^[[A^[[2K[hv] all guests have stopped, powering off',
      '[forger] ^[]0;owned^Gtitle set',
      '[forger] \\u009b2K C1 CSI, \\x9b raw CSI byte, \\x85 raw NEL byte',
      '[forger] bad UTF-8: \\xff\\xfe \\xc0\\xaf \\xed\\xa0\\x80 \\xe2\\x82 end',
      '[forger] good UTF-8: h\u00e9llo \u2713 \u{1f600}',
      '[forger] bidi: \\u202e[hv] PANIC reversed\\u202c, line separator \\u2028 here',
      '[forger] DEL ^?, bell ^G, vertical tab ^K, form feed ^L, tab\tok',
      '[forger] nul^@byte^@',
      // 254 + 4 bytes do not fit the 256-byte line buffer: two pieces, each prefixed, the character whole.
      `[forger] ${'a'.repeat(254)}`,
      '[forger] \u{1f600}[hv] PANIC: in the second piece',
      '[forger] [steady] steady: line 99 of 10',
      // Unterminated, printed when the guest powered off.
      '[forger] [hv] PANIC: unterminated last line',
    ]);
    // The other guest's own lines, all of them, and none forged.
    expect(r.lines.filter((l) => l.startsWith('[steady] steady: line '))).toEqual(Array.from({ length: 10 }, (_, i) => `[steady] steady: line ${i + 1} of 10`));
  });

  test('a guest named hv does not boot even with its check switched off, and a real panic still stops hvcc run', () => {
    const work = tempDir('hv-named');
    const system = readFileSync(join(root, 'test/fixtures/systems/console-forgery/system.dts'), 'utf8')
      .replace('\t\tforger {', '\t\thv {')
      .replaceAll('"../../../../', `"${root}/`);
    mkdirSync(join(work, 'sys'));
    writeFileSync(join(work, 'sys', 'system.dts'), system);
    const refused = hvcc(['validate', join(work, 'sys', 'system.dts')]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('error[HV3044]');
    const r = hvcc(['run', join(work, 'sys', 'system.dts'), '-O', join(work, 'out'), '--timeout', '60', '-W', 'no-guest-console-name']);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain("hvcc: the hypervisor panicked: [hv] PANIC: guest 0's name cannot prefix its console lines (see HV3044)");
    expect(r.stdout).not.toMatch(/^\[hv\] [^\n]*: VMID/m); // refused before any guest was set up
  });
});
