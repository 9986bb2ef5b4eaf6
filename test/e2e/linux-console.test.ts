import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { buildExampleGuests, tempDir } from './harness.js';
import { CTRL_A, PipeSession, TmuxSession } from './console-session.js';
import { LINUX_SHELL_READY, linuxShellSystem } from '../support/linux-shell.js';

/*
 * A shell in the Linux guest, typed into through hvcc run: the example's Debian kernel and busybox
 * (examples/linux-guest, prepare.mjs) with an initramfs whose /init starts a shell on the console (with
 * a controlling terminal, so Ctrl-C reaches its foreground job), beside the bare-metal echo guest, with
 * the management terminal.
 */
const READY = LINUX_SHELL_READY;
let system = '';

beforeAll(async () => {
  buildExampleGuests();
  system = await linuxShellSystem(tempDir('linux-console'), { applets: ['sleep', 'ls'], prepareOutput: 'inherit' });
}, 600_000);

let sessions: { kill: () => void }[] = [];
afterEach(() => {
  for (const s of sessions) s.kill();
  sessions = [];
});

describe("the Linux guest's shell, typed into", () => {
  test('through a terminal: echo $((6*7)) says 42, Ctrl-C interrupts, switching to the echo guest and back', async () => {
    const t = new TmuxSession();
    sessions.push(t);
    t.run([system, '-O', tempDir('linux-console-tmux')]);
    await t.expect(new RegExp(`^\\[linux\\] ${READY}: 2 CPUs$`, 'm'), { timeoutMs: 400_000 });
    // The first key makes the screen interactive: the shell's prompt, held in its line, appears; the Enter
    // then gives a fresh one. Typing before that second prompt races the shell (the tty echoes the keys
    // ahead of the prompt), so the test waits for both.
    let at = t.mark();
    t.keys('Enter');
    await t.expect(/^\/ #\s*\n\/ #\s*$/m, { from: at, timeoutMs: 30_000 });
    at = t.mark();
    t.text('echo $((6*7))');
    t.keys('Enter');
    await t.expect(/^\/ # echo \$\(\(6\*7\)\)\n42\n/m, { from: at });

    // Line editing: what the shell draws is what arrives (backspace).
    at = t.mark();
    t.text('echo typo');
    t.keys('BSpace', 'BSpace', 'BSpace', 'BSpace');
    t.text('fixed');
    t.keys('Enter');
    await t.expect(/^fixed$/m, { from: at });

    // Ctrl-C goes to the guest: it interrupts the shell's foreground job.
    at = t.mark();
    t.text('sleep 100');
    t.keys('Enter');
    await new Promise((r) => setTimeout(r, 1500));
    t.keys('C-c');
    t.text('echo status=$?');
    t.keys('Enter');
    await t.expect(/^status=130$/m, { from: at, timeoutMs: 30_000 });

    // The bare-metal guest next to it, and back.
    at = t.mark();
    t.keys('C-a', 'n');
    await t.expect(/^\[hv\] console: guest 'bare' \(2 of 2, running\)/m, { from: at });
    t.text('hello bare');
    t.keys('Enter');
    await t.expect(/^echo: you typed 'hello bare'$/m, { from: at });
    at = t.mark();
    t.keys('C-a', 'p');
    await t.expect(/^\[hv\] console: guest 'linux' \(1 of 2, running\)/m, { from: at });
    t.text('echo back in $(uname -s)');
    t.keys('Enter');
    await t.expect(/^back in Linux$/m, { from: at });

    // The terminal sees both guests. Linux paused (its two vCPUs, virtual GIC and timer) resumes and answers.
    at = t.mark();
    t.keys('C-a', 't');
    t.text('guest list');
    t.keys('Enter');
    await t.expect(/^ 1  linux\s+running\s+0:1 on, 1:2 on\s+\d+\s+0$/m, { from: at });
    t.text('guest pause linux');
    t.keys('Enter');
    await t.expect(/^\[hv\] guest 'linux' paused$/m, { from: at });
    await new Promise((r) => setTimeout(r, 2000));
    t.text('guest resume linux');
    t.keys('Enter');
    t.text('console linux');
    t.keys('Enter');
    await t.expect(/^\[hv\] console: guest 'linux' \(1 of 2, running\)/m, { from: at });
    t.text('echo still $((40+2))');
    t.keys('Enter');
    await t.expect(/^still 42$/m, { from: at });
    t.keys('C-a', 't');
    t.text('poweroff');
    t.keys('Enter');
    const end = await t.exited();
    expect(end.status).toBe(0);
    expect(end.modes).toEqual(expect.arrayContaining(['icanon', 'echo', 'isig']));
  }, 600_000);

  test('over a pipe (CI): the same shell session, and a cold reset of Linux from the terminal', async () => {
    const s = new PipeSession([system, '-O', tempDir('linux-console-pipe'), '--timeout', '500']);
    sessions.push(s);
    await s.expect(new RegExp(`^\\[linux\\] ${READY}: 2 CPUs$`, 'm'), { timeoutMs: 400_000 });
    let at = s.mark();
    s.line('echo $((6*7))');
    await s.expect(/^42$/m, { from: at, timeoutMs: 60_000 });
    at = s.mark();
    s.line('ls /');
    await s.expect(/^bin +dev +init +lib +mnt +proc +root +sys +tmp$/m, { from: at });
    at = s.mark();
    s.send(`${CTRL_A}n`);
    s.line('piped');
    await s.expect(/^echo: you typed 'piped'$/m, { from: at });
    s.send(`${CTRL_A}p`);
    at = s.mark();
    s.line('echo $((6*7+1))');
    await s.expect(/^43$/m, { from: at });

    // A cold reset from the terminal: Linux boots again from a cleared RAM, on both vCPUs, and has a shell.
    at = s.mark();
    s.send(`${CTRL_A}t`);
    s.line('guest reset linux');
    await s.expect(/^\[hv\] guest 'linux' restarting \(RAM cleared, image reloaded\)$/m, { from: at });
    await s.expect(/^\[linux\] .*smp: Brought up 1 node, 2 CPUs$/m, { from: at, timeoutMs: 400_000 });
    await s.expect(new RegExp(`^\\[linux\\] ${READY}: 2 CPUs$`, 'm'), { from: at, timeoutMs: 400_000 });
    s.send(`${CTRL_A}1`);
    at = s.mark();
    s.line('echo again $((6*7))');
    await s.expect(/^again 42$/m, { from: at, timeoutMs: 60_000 });
    s.send(`${CTRL_A}x`);
    expect(await s.exit()).toBe(0);
  }, 600_000);
});
