import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleGuests, hvcc, root, symbols, tempDir } from './harness.js';
import { CTRL_A, PipeSession, TmuxSession } from './console-session.js';
import { CONFIG_ABI_VERSION } from '../../compiler/codegen/config-module.js';

/*
 * Interactive consoles and the management terminal (docs/console.md), on examples/consoles: `echo` echoes
 * what it is typed, `count` counts a line every 200 ms, `hello` does not start at boot. Everything is
 * driven through the console as a user would, over a pipe (the CI form) and through a terminal (tmux).
 */
const SYSTEM = 'examples/consoles/system.dts';

let sessions: { kill: () => void }[] = [];
afterEach(() => {
  for (const s of sessions) s.kill();
  sessions = [];
});

function pipe(args: string[]): PipeSession {
  const s = new PipeSession(args);
  sessions.push(s);
  return s;
}

/** A variant of examples/consoles in a folder of its own: `edit` changes the description, `config` is its defconfig. */
function variant(name: string, edit: (dts: string) => string, config = 'CONFIG_HV_MAX_CPUS=4\nCONFIG_HV_TERMINAL=y\n'): string {
  const dir = tempDir(name);
  const dts = readFileSync(join(root, SYSTEM), 'utf8').replace('"../../boards/', `"${root}/boards/`).replaceAll('"../guests/build/', `"${root}/examples/guests/build/`);
  writeFileSync(join(dir, 'system.dts'), edit(dts));
  writeFileSync(join(dir, 'defconfig'), config);
  return join(dir, 'system.dts');
}

/** The count lines' numbers in some output, in order. */
function counts(text: string): number[] {
  return [...text.matchAll(/^\[count\] count: (\d+)$/gm)].map((m) => Number(m[1]));
}

beforeAll(() => buildExampleGuests());

describe('the terminal is a component: absent from images that do not enable it', () => {
  // The terminal's functions that stay out of line (hv_term_guest, three lines around hv_guest_find, is
  // inlined into its callers since the core's cold sources are compiled for size).
  const TERMINAL = ['hv_term_error'];
  const GROUPS = ['__hv_term_group_guest_group', '__hv_term_group_console_group', '__hv_term_group_system_group'];

  test('with HV_TERMINAL every group is linked; without it none of its code is; without one group only that one is missing', () => {
    const withIt = tempDir('term-on');
    expect(hvcc(['build', SYSTEM, '-O', withIt]).status).toBe(0);
    const on = symbols(join(withIt, 'hypervisor.elf'));
    for (const s of [...TERMINAL, ...GROUPS]) expect(on).toContain(s);
    const manifest = JSON.parse(readFileSync(join(withIt, 'manifest.json'), 'utf8')) as { components: { name: string; kind: string; reasons: { why: string }[] }[] };
    expect(manifest.components.filter((c) => c.kind === 'service').map((c) => c.name)).toEqual(['terminal', 'terminal-console', 'terminal-guest', 'terminal-system']);
    expect(manifest.components.find((c) => c.name === 'gicv3-driver')!.reasons[0]!.why).toBe("the board's interrupt controller, for component 'terminal'");

    const off = tempDir('term-off');
    const config = join(off, 'off.config');
    writeFileSync(config, 'CONFIG_HV_MAX_CPUS=4\n# CONFIG_HV_TERMINAL is not set\n');
    const r = hvcc(['build', SYSTEM, '-O', join(off, 'out'), '--config', config]);
    expect(r.status).toBe(0);
    // hello does not start at boot, and nothing could start it: said, not fatal.
    expect(r.stderr).toMatch(/warning\[HV4012\]: guest 'hello' does not start at boot \(no-autostart\), and nothing in the image can start it/);
    const none = symbols(join(off, 'out', 'hypervisor.elf'));
    for (const s of [...TERMINAL, ...GROUPS, 'guest_group', 'system_group', 'console_group', 'gicv3_enable']) expect(none).not.toContain(s);

    const noGuest = tempDir('term-noguest');
    const config2 = join(noGuest, 'noguest.config');
    writeFileSync(config2, 'CONFIG_HV_MAX_CPUS=4\nCONFIG_HV_TERMINAL=y\n# CONFIG_HV_TERMINAL_GUEST is not set\n');
    expect(hvcc(['build', SYSTEM, '-O', join(noGuest, 'out'), '--config', config2]).status).toBe(0);
    const partial = symbols(join(noGuest, 'out', 'hypervisor.elf'));
    expect(partial).toContain('__hv_term_group_console_group');
    expect(partial).toContain('__hv_term_group_system_group');
    expect(partial).not.toContain('__hv_term_group_guest_group');
    expect(partial).not.toContain('guest_group');
  }, 300_000);
});

describe('over a pipe (the CI form)', () => {
  test('type into a guest, the terminal, guest list, stop/start/reset/pause/resume, errors, all stopped, poweroff', async () => {
    const s = pipe([SYSTEM, '-O', tempDir('pipe'), '--timeout', '240']);
    await s.expect(/^\[hv\] console: input goes to guest 'echo'; Ctrl-A h for help$/m, { timeoutMs: 180_000 });
    await s.expect(/^\[echo\] Hello from echo! Type a line/m);
    await s.expect(/^\[count\] count: 2$/m);

    // Typing into the focused guest: echoed as typed, then repeated by the guest.
    let at = s.mark();
    s.line('hello there');
    await s.expect(/^echo: you typed 'hello there'$/m, { from: at });

    // The management terminal.
    at = s.mark();
    s.send(`${CTRL_A}t`);
    await s.expect(/^\[hv\] console: management terminal; Ctrl-A n for the guests\n/m, { from: at });
    await s.expect(/^hvcc management terminal, system 'consoles': help lists the commands\nhv> /m, { from: at });
    at = s.mark();
    s.line('guest list');
    const table = await s.expect(/^ #  guest .*\n( 1 .*)\n( 2 .*)\n( 3 .*)\n/m, { from: at });
    expect(table[1]).toMatch(/^ 1  echo\s+running\s+0:0 on\s+\d+\s+0$/);
    expect(table[2]).toMatch(/^ 2  count\s+running\s+0:1 on\s+\d+\s+0$/);
    expect(table[3]).toMatch(/^ 3  hello\s+stopped\s+0:2 off\s+\d+\s+0$/);

    // A guest that does not start at boot starts when told, runs to its end (it powers itself off), and
    // starts again: its greeting twice, each time with its image check (.data intact, .bss zero: it dirties
    // both after checking them).
    for (let run = 1; run <= 2; run++) {
      at = s.mark();
      s.line('guest start hello');
      await s.expect(/^\[hv\] guest 'hello' starting \(RAM cleared, image loaded\)$/m, { from: at });
      await s.expect(/^\[hello\] Hello from alpha!$/m, { from: at });
      await s.expect(/^\[hello\] alpha: image check ok \(.data intact, .bss zero\)$/m, { from: at });
      await s.expect(/^\[hv\] guest 'hello' powered off \(PSCI SYSTEM_OFF from vCPU 0\)$/m, { from: at });
    }
    expect(s.text().match(/^\[hello\] Hello from alpha!$/gm)).toHaveLength(2);
    expect(s.text()).not.toMatch(/ERROR/);

    // Stop and start count: greeting again, RAM cleared and image reloaded (count checks .data, .bss and
    // a mark it left in RAM beyond its image), counting from 1 again.
    at = s.mark();
    s.line('guest stop count');
    await s.expect(/^\[hv\] guest 'count' stopped from the terminal$/m, { from: at });
    s.line('guest start count');
    await s.expect(/^\[count\] count: image check ok \(.data intact, .bss zero, RAM clear\)\n(.*\n)*?\[count\] count: 1$/m, { from: at });
    // A cold reset of a running guest does the same.
    at = s.mark();
    s.line('guest reset count');
    await s.expect(/^\[hv\] guest 'count' restarting \(RAM cleared, image reloaded\)$/m, { from: at });
    await s.expect(/^\[count\] count: image check ok \(.data intact, .bss zero, RAM clear\)\n(.*\n)*?\[count\] count: 3$/m, { from: at });
    expect(s.text().match(/^\[count\] count: image check ok/gm)).toHaveLength(3);

    // Pause: the count holds; resume: it goes on from where it was.
    at = s.mark();
    s.line('guest pause count');
    await s.expect(/^\[hv\] guest 'count' paused$/m, { from: at });
    const paused = s.mark();
    const before = counts(s.text()).at(-1)!;
    await new Promise((r) => setTimeout(r, 1500));
    expect(counts(s.text(paused)).filter((n) => n > before)).toEqual([]);
    s.line('guest list');
    await s.expect(/^ 2  count\s+paused\s+0:1 on/m, { from: paused });
    at = s.mark();
    s.line('guest resume count');
    await s.expect(/^\[hv\] guest 'count' resumed$/m, { from: at });
    await s.expect(new RegExp(`^\\[count\\] count: ${before + 2}$`, 'm'), { from: at });
    expect(counts(s.text(at))[0]).toBe(before + 1);
    // Any number of times.
    for (let i = 0; i < 3; i++) {
      at = s.mark();
      s.line('guest pause count');
      await s.expect(/^\[hv\] guest 'count' paused$/m, { from: at });
      s.line('guest resume count');
      await s.expect(/^\[hv\] guest 'count' resumed$/m, { from: at });
    }

    // What a user types wrong gets one line of error; nothing breaks.
    at = s.mark();
    s.line('frobnicate');
    s.line('guest');
    s.line('guest stop');
    s.line('guest explode count');
    s.line('guest info nobody');
    s.line('guest pause 7');
    s.line('guest resume echo');
    s.line('guest start echo');
    s.line('x'.repeat(300));
    s.line('a b c d e f g h i j');
    s.line(`mute ${'\x1b[A'}maybe`);
    s.line('version');
    const errors = await s.expect(new RegExp(`error: unknown command 'frobnicate'[^]*hvcc \\d+\\.\\d+\\.\\d+, config ABI ${CONFIG_ABI_VERSION}, system 'consoles': 3 guest\\(s\\) on 3 CPU\\(s\\)\n`), { from: at });
    const lines = errors[0].split('\n').filter((l) => l.startsWith('error: ') || l.startsWith('usage: '));
    expect(lines).toEqual([
      "error: unknown command 'frobnicate' (help lists them)",
      'error: guest needs a command (help guest lists them)',
      'error: wrong number of arguments',
      'usage: guest stop NAME',
      "error: guest has no command 'explode' (help guest lists them)",
      "error: no guest 'nobody' (guest list shows them)",
      "error: no guest '7' (guest list shows them)",
      "error: guest 'echo' is running, not paused",
      "error: guest 'echo' is running, not stopped (guest reset restarts it)",
      'error: a command is at most 127 characters; nothing was run',
      'error: more than 8 words',
      'error: mute takes on or off',
    ]);

    // help, info, stats.
    at = s.mark();
    s.line('help');
    await s.expect(/^  guest pause NAME +stop a guest's vCPUs where they are$/m, { from: at });
    s.line('guest info 2');
    await s.expect(/^guest 'count', number 2: running; VMID 2; starts at boot; started cold 2 time\(s\) since boot\n  vCPU 0: ID 0x0, on pCPU 1 \(ID 0x1\), on, \d+ exits\n  RAM: IPA 0x40000000-0x40ffffff at PA 0x[0-9a-f]+, 16384 KiB\n/m, { from: at });
    s.line('stats');
    await s.expect(/^console: \d+ bytes of input, by interrupt 33 on pCPU 0; 0 guest lines muted\nguest 'echo': input 12 bytes queued, 12 delivered, 0 dropped\n/m, { from: at });

    // Muting: the guests without the keyboard (here, all) are not shown; the hypervisor's lines are.
    at = s.mark();
    s.line('mute on');
    await s.expect(/^the output of guests without the keyboard is muted$/m, { from: at });
    const muted = s.mark();
    await new Promise((r) => setTimeout(r, 1200));
    expect(counts(s.text(muted))).toEqual([]);
    s.line('stats');
    const mutedLines = await s.expect(/^console: \d+ bytes of input, by interrupt 33 on pCPU 0; (\d+) guest lines muted$/m, { from: muted });
    expect(Number(mutedLines[1])).toBeGreaterThan(2);
    at = s.mark();
    s.send(`${CTRL_A}m`);
    await s.expect(/^\[hv\] console: the other guests' output is shown$/m, { from: at });
    await s.expect(/^\[count\] count: \d+$/m, { from: at });

    // Back to a guest by the escape key and its number.
    at = s.mark();
    s.send(`${CTRL_A}1`);
    await s.expect(/^\[hv\] console: guest 'echo' \(1 of 3, running\); Ctrl-A h for help$/m, { from: at });
    s.line('back');
    await s.expect(/^echo: you typed 'back'$/m, { from: at });

    // Every guest stopped: with the terminal the machine stays up, until poweroff; its CPUs sleep (in WFI,
    // which QEMU really sleeps in), where echo's polling of its FIFO kept one busy before.
    s.send(`${CTRL_A}t`);
    const busy = await s.qemuCpuSeconds(3000);
    at = s.mark();
    s.line('guest stop count');
    s.line('guest stop 1');
    await s.expect(/^\[hv\] all guests have stopped; the management terminal keeps the machine up \(Ctrl-A t\)$/m, { from: at });
    expect(await s.alive(1500)).toBe(true);
    const idle = await s.qemuCpuSeconds(3000);
    expect(idle).toBeLessThan(0.5);
    expect(busy).toBeGreaterThan(idle * 2);
    s.line('guest list');
    await s.expect(/^ 1  echo\s+stopped\s+0:0 off/m, { from: at });
    s.line('poweroff');
    await s.expect(/^\[hv\] powering off \(asked by the terminal\)$/m, { from: at });
    expect(await s.exit()).toBe(0);
  }, 420_000);

  test('a whole session piped in at once works the same; the end of input is not the end of the run', async () => {
    const s = pipe([SYSTEM, '-O', tempDir('pipe-once'), '--timeout', '120']);
    // Before the hypervisor even runs: the UART and QEMU hold what it has not read yet.
    s.send(`${CTRL_A}tguest start hello\rguest list\r`);
    s.endInput();
    await s.expect(/^\[hello\] alpha: image check ok/m, { timeoutMs: 180_000 });
    await s.expect(/^ 3  hello /m);
    expect(await s.alive(1000)).toBe(true);
    s.kill();
  }, 300_000);
});

describe('through a terminal (tmux: a pty in raw mode)', () => {
  test('keys reach the guest as typed, switching and the terminal work on the screen, and the terminal is restored', async () => {
    const t = new TmuxSession();
    sessions.push(t);
    t.run([SYSTEM, '-O', tempDir('tmux')]);
    await t.expect(/hvcc: console attached; Ctrl-A h for help, Ctrl-A x to power off/, { timeoutMs: 180_000 });
    await t.expect(/^\[echo\] Hello from echo!/m);
    await t.expect(/^\[count\] count: 3$/m);

    // The first key makes the screen interactive: echo's prompt appears, what is typed is echoed as typed.
    let at = t.mark();
    t.text('abc');
    await t.expect(/^echo> abc/m, { from: at });
    t.keys('BSpace', 'BSpace');
    t.text('xy');
    t.keys('Enter');
    await t.expect(/^echo: you typed 'axy'$/m, { from: at });
    // count's lines keep coming, prefixed, and never land inside echo's line: the prompt is drawn again below them.
    await t.expect(/^\[count\] count: \d+$/m, { from: at + 2 });
    t.text('half');
    await new Promise((r) => setTimeout(r, 1000));
    const screen = t.screen().trimEnd().split('\n');
    expect(screen.at(-1)).toBe('echo> half');
    expect(screen.filter((l) => l.includes('[count]') && !l.startsWith('[count] '))).toEqual([]);
    t.keys('Enter');
    await t.expect(/^echo: you typed 'half'$/m, { from: at });

    // Ctrl-A n: the next guest; Ctrl-A p back; Ctrl-A h: help.
    at = t.mark();
    t.keys('C-a', 'n');
    await t.expect(/^\[hv\] console: guest 'count' \(2 of 3, running\)/m, { from: at });
    t.keys('C-a', 'p');
    await t.expect(/^\[hv\] console: guest 'echo' \(1 of 3, running\)/m, { from: at });
    t.keys('C-a', 'h');
    await t.expect(/^\[hv\]   x        power the machine off$/m, { from: at });

    // The terminal, on the screen.
    at = t.mark();
    t.keys('C-a', 't');
    await t.expect(/^hv>\s*$/m, { from: at });
    t.text('guest pause count');
    t.keys('Enter');
    await t.expect(/^\[hv\] guest 'count' paused$/m, { from: at });
    t.text('guest list');
    t.keys('Enter');
    await t.expect(/^ 2  count\s+paused/m, { from: at });
    const last = counts(t.history()).at(-1)!;
    t.text('guest resume count');
    t.keys('Enter');
    await t.expect(new RegExp(`^\\[count\\] count: ${last + 1}$`, 'm'), { from: at });
    // Ctrl-C at the terminal's prompt drops the line; it does not reach QEMU or hvcc.
    t.text('guest stop echo');
    t.keys('C-c');
    await t.expect(/^hv> guest stop echo\^C$/m, { from: at });

    // Ctrl-A x: the machine powers off; hvcc exits 0 and leaves the terminal as it found it.
    t.keys('C-a', 'x');
    const end = await t.exited();
    expect(end.status).toBe(0);
    expect(end.modes).toEqual(expect.arrayContaining(['icanon', 'echo', 'isig', 'icrnl', 'opost']));
    expect(t.history()).toMatch(/^\[hv\] powering off \(asked by the console\)$/m);
    expect(t.history()).not.toMatch(/^\[hv\] guest 'echo' stopped/m);
  }, 300_000);

  test('a signal to hvcc also restores the terminal and stops QEMU', async () => {
    const t = new TmuxSession();
    sessions.push(t);
    t.run([SYSTEM, '-O', tempDir('tmux-signal')]);
    await t.expect(/^\[count\] count: 2$/m, { timeoutMs: 180_000 });
    const running = t.processes();
    expect(running.children.length).toBe(1); // QEMU
    process.kill(running.hvcc, 'SIGTERM');
    const end = await t.exited();
    expect(end.status).toBeGreaterThanOrEqual(128);
    // QEMU is gone (or a zombie its new parent has yet to reap): it no longer runs.
    await new Promise((r) => setTimeout(r, 500));
    expect(processState(running.children[0]!)).toMatch(/^(gone|Z)$/);
    expect(end.modes).toEqual(expect.arrayContaining(['icanon', 'echo', 'isig']));
  }, 300_000);
});

function processState(pid: number): string {
  try {
    return /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))![1]!;
  } catch {
    return 'gone';
  }
}

describe('input is not starved', () => {
  test('a guest printing nonstop does not keep input from another guest or from the terminal', async () => {
    const system = variant('flood', (d) => d.replace('/ticker.elf"', '/ticker-flood.elf"'));
    const s = pipe([system, '-O', tempDir('flood-out'), '--timeout', '180']);
    await s.expect(/^\[echo\] Hello from echo!/m, { timeoutMs: 180_000 });
    await s.expect(/^\[count\] count: 5000$/m);
    for (let i = 0; i < 5; i++) {
      const at = s.mark();
      s.line(`ping${i}`);
      await s.expect(new RegExp(`^echo: you typed 'ping${i}'$`, 'm'), { from: at, timeoutMs: 10_000 });
    }
    s.send(`${CTRL_A}t`);
    for (let i = 0; i < 3; i++) {
      const at = s.mark();
      s.line('version');
      await s.expect(new RegExp(`^hvcc .*, config ABI ${CONFIG_ABI_VERSION}, system 'hvcc-flood-`, 'm'), { from: at, timeoutMs: 10_000 });
    }
    s.line('poweroff');
    expect(await s.exit()).toBe(0);
  }, 300_000);

  test('the same when the console is polled (no terminal, so no interrupt controller driver)', async () => {
    const system = variant('flood-polled', (d) => d.replace('/ticker.elf"', '/ticker-flood.elf"').replace('no-autostart;', ''), 'CONFIG_HV_MAX_CPUS=4\n');
    const s = pipe([system, '-O', tempDir('flood-polled-out'), '--timeout', '180']);
    await s.expect(/^\[count\] count: 5000$/m, { timeoutMs: 180_000 });
    for (let i = 0; i < 5; i++) {
      const at = s.mark();
      s.line(`poll${i}`);
      await s.expect(new RegExp(`^echo: you typed 'poll${i}'$`, 'm'), { from: at, timeoutMs: 10_000 });
    }
    let at = s.mark();
    s.send(`${CTRL_A}t`);
    await s.expect(/^\[hv\] console: this image has no management terminal \(CONFIG_HV_TERMINAL\)$/m, { from: at });
    // Ctrl-A Ctrl-A sends Ctrl-A itself; then Ctrl-D powers echo off. hello ran to its end meanwhile.
    at = s.mark();
    s.send(`${CTRL_A}${CTRL_A}\x04`);
    await s.expect(/^\[hv\] guest 'echo' powered off/m, { from: at });
    await s.expect(/^\[hv\] guest 'hello' powered off/m);
    s.send(`${CTRL_A}x`);
    await s.expect(/^\[hv\] powering off \(asked by the console\)$/m, { from: at });
    expect(await s.exit()).toBe(0);
  }, 300_000);
});

describe('hvcc run options', () => {
  test('--escape changes the escape key (and rebuilds); --timeout 0 is no limit; bad values are usage errors', async () => {
    const out = tempDir('escape');
    const s = pipe([SYSTEM, '-O', out, '--escape', '^B', '--timeout', '0']);
    await s.expect(/^\[hv\] console: input goes to guest 'echo'; Ctrl-B h for help$/m, { timeoutMs: 180_000 });
    let at = s.mark();
    s.send('\x02h');
    await s.expect(/^\[hv\] console keys: Ctrl-B, then$/m, { from: at });
    // Ctrl-A is an ordinary key now: echo ignores it, it switches nothing.
    at = s.mark();
    s.send(`${CTRL_A}tok\r`);
    await s.expect(/^echo: you typed 'tok'$/m, { from: at });
    s.send('\x02x');
    expect(await s.exit()).toBe(0);

    for (const bad of [['--timeout', 'soon'], ['--timeout', '-5'], ['--escape', 'q'], ['--escape', 'ctrl-c']]) {
      const r = hvcc(['run', SYSTEM, '-O', out, ...bad]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^error\\[HV0003\\]: --${bad[0]!.slice(2)}`));
    }
    const help = hvcc(['run', '--help']);
    expect(help.status).toBe(0);
    for (const option of ['--timeout', '--escape', '--accept-faults', '--config', '--verbose', '-O']) expect(help.stdout).toContain(option);
    expect(help.stdout).toMatch(/0: no\s+limit/);
  }, 300_000);

  test('the description names the escape key; one that cannot work is an error at its property', () => {
    const system = variant('bad-escape', (d) => d.replace('escape-key = "ctrl-a";', 'escape-key = "ctrl-m";'));
    const r = hvcc(['validate', system]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error\[HV2002\]: escape-key "ctrl-m" is not a key the console can use/);
  });
});
