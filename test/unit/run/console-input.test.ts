/**
 * `hvcc run`'s input side: what arrives before the hypervisor has started is held back (setting up its UART
 * empties the UART's receive FIFO, which lost a piped session's escape key), then passed on whole and in
 * order, its end included; and the console watcher says when the hypervisor started.
 */
import { describe, expect, jest, test } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { attachConsole, ConsoleWatcher } from '../../../compiler/run/interactive.js';

function collect(sink: PassThrough): { bytes: () => string; ended: () => boolean } {
  let text = '';
  let ended = false;
  sink.on('data', (d: Buffer) => (text += d.toString('latin1')));
  sink.on('end', () => (ended = true));
  return { bytes: () => text, ended: () => ended };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('attachConsole', () => {
  test('holds input and its end until released, then passes both on in order', async () => {
    const input = new PassThrough() as unknown as NodeJS.ReadStream;
    const sink = new PassThrough();
    const out = collect(sink);
    const attachment = attachConsole({ sink, escapeKey: 1, kill: () => {}, input });
    input.write('\x01tguest start');
    input.write(' hello\r');
    input.end();
    await tick();
    expect(out.bytes()).toBe('');
    expect(out.ended()).toBe(false);
    attachment.release();
    await tick();
    expect(out.bytes()).toBe('\x01tguest start hello\r');
    expect(out.ended()).toBe(true);
    attachment.detach();
  });

  test('after release, bytes go on as they come', async () => {
    const input = new PassThrough() as unknown as NodeJS.ReadStream;
    const sink = new PassThrough();
    const out = collect(sink);
    const attachment = attachConsole({ sink, escapeKey: 1, kill: () => {}, input });
    attachment.release();
    input.write('ab');
    await tick();
    expect(out.bytes()).toBe('ab');
    attachment.release();
    input.write('c');
    await tick();
    expect(out.bytes()).toBe('abc');
    attachment.detach();
  });

  test('the escape key then x stops QEMU from here when the hypervisor does not power off, even while input is held', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const input = new PassThrough() as unknown as NodeJS.ReadStream;
      const sink = new PassThrough();
      let killed = 0;
      const attachment = attachConsole({ sink, escapeKey: 1, kill: () => killed++, input });
      input.write('\x01x');
      await tick();
      jest.advanceTimersByTime(4900);
      expect(killed).toBe(0);
      jest.advanceTimersByTime(200);
      expect(killed).toBe(1);
      attachment.detach();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('ConsoleWatcher', () => {
  test('calls onStart once, at the hypervisor\'s start line, however the output is cut', () => {
    let starts = 0;
    const watcher = new ConsoleWatcher(() => starts++);
    watcher.feed('OpenSBI v1.2\n[hv] hvcc hyper');
    expect(starts).toBe(0);
    watcher.feed("visor starting: system 'a', 1 guest(s) on 1 CPU(s)\n");
    expect(starts).toBe(1);
    watcher.feed("[hv] hvcc hypervisor starting: system 'a', 1 guest(s) on 1 CPU(s)\n");
    expect(starts).toBe(1);
  });

  test('a guest printing the start line does not count', () => {
    let starts = 0;
    const watcher = new ConsoleWatcher(() => starts++);
    watcher.feed("[forger] [hv] hvcc hypervisor starting: system 'a'\n");
    expect(starts).toBe(0);
  });

  test('collects the faults', () => {
    const watcher = new ConsoleWatcher();
    watcher.feed("[hv] guest 'a' stopped: vCPU 0 wrote 4 bytes outside its memory\n[hv] guest 'b' powered off (PSCI SYSTEM_OFF from vCPU 0)\n");
    expect(watcher.faults).toEqual(["[hv] guest 'a' stopped: vCPU 0 wrote 4 bytes outside its memory"]);
  });
});
