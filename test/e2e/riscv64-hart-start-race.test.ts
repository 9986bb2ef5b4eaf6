/**
 * riscv64: the hypervisor's harts are started through SBI HSM by QEMU's default firmware, OpenSBI v1.1, and two
 * interleavings of that start must not lose a pCPU. A loaded machine made each of them rare but real; here
 * QEMU's gdbstub holds some harts while others run or step, so each happens on every run.
 *
 * 1. OpenSBI before v1.3 sets a hart's HSM state to START_PENDING in hart_start before it stores the address
 *    and argument the hart is to start at, and the waiting hart polls that state. Stopped right after the
 *    state's store, the caller lets the target leave with the address and argument of its cold boot: the
 *    hypervisor's _start, the DTB. That hart used to take itself for the winner of OpenSBI's boot lottery,
 *    start hart 0 (refused: it runs) and stop itself for good, while hart_start had told hv_main() it was
 *    started: its pCPU never ran. Seen in the riscv64 Linux test under load, once in 18 boots: the Linux
 *    guest (on harts 1 and 2) printed nothing, the bare guest on hart 0 ran and powered off, no fault.
 * 2. When the lottery's winner is not pCPU 0's hart, it starts that one and then stops itself; pCPU 0 may
 *    start it again before it has stopped. The firmware then refuses (SBI_ERR_ALREADY_AVAILABLE), which was
 *    a panic at boot.
 *
 * QEMU is started directly (`-S`, its gdbstub on a Unix socket), not through `hvcc run`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { GdbRemote } from './gdb-remote.js';
import { buildExampleGuests, hvcc, tempDir } from './harness.js';

const SBI_EXT_HSM = 0x48534dn;
const SBI_HSM_HART_START = 0n;
const SBI_ERR_ALREADY_AVAILABLE = BigInt.asUintN(64, -6n);
/** Harts 0 and 1: guest alpha on pCPU 0, beta on pCPU 1. gdb threads are CPU index + 1. */
const HART0 = 1;
const HART1 = 2;
const A0 = 10;
const A1 = 11;
const A6 = 16;
const A7 = 17;
const PC = 32;

const running: ChildProcess[] = [];
let image = '';

beforeAll(() => {
  buildExampleGuests();
  const out = tempDir('rv-hart-start');
  const built = hvcc(['build', 'examples/riscv64/two-guests/system.dts', '-O', out]);
  expect(built.status).toBe(0);
  image = join(out, 'hypervisor.elf');
});
afterAll(() => {
  for (const q of running) if (q.exitCode === null) q.kill('SIGKILL');
});

function symbol(name: string): bigint {
  const line = execFileSync('llvm-nm-14', [image], { encoding: 'utf8' }).split('\n').find((l) => l.endsWith(` ${name}`));
  if (!line) throw new Error(`no symbol ${name}`);
  return BigInt(`0x${line.split(' ')[0]}`);
}

/** Every ecall instruction of the image. */
function ecalls(): bigint[] {
  const dis = execFileSync('llvm-objdump-14', ['-d', '--no-show-raw-insn', image], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return [...dis.matchAll(/^\s*([0-9a-f]+):\s+ecall\b/gm)].map((m) => BigInt(`0x${m[1]}`));
}

interface Machine {
  gdb: GdbRemote;
  lines(): string[];
  /** QEMU's exit code, or null when it had not exited (nor printed a panic) within the time. */
  finish(timeoutMs: number): Promise<number | null>;
}

/** QEMU at its reset vector with every hart held (-S), and its gdbstub connected. */
async function machine(): Promise<Machine> {
  const sock = join(tempDir('rv-gdb'), 'gdb.sock');
  const qemu = spawn('qemu-system-riscv64', ['-M', 'virt', '-cpu', 'rv64,h=true', '-smp', '4', '-m', '1022M', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-nic', 'none',
    '-chardev', `socket,id=gdb0,path=${sock},server=on,wait=off`, '-gdb', 'chardev:gdb0', '-S', '-kernel', image], { stdio: ['ignore', 'pipe', 'inherit'] });
  running.push(qemu);
  let out = '';
  qemu.stdout!.setEncoding('latin1');
  qemu.stdout!.on('data', (d: string) => { out += d; });
  const exited = new Promise<number | null>((resolve) => qemu.on('exit', (code) => resolve(code)));
  const gdb = await GdbRemote.open(sock);
  const lines = () => out.replace(/\r/g, '').split('\n');
  return {
    gdb,
    lines,
    finish: async (timeoutMs) => {
      const start = Date.now();
      let code: number | null | undefined;
      void exited.then((c) => { code = c; });
      while (code === undefined && Date.now() - start < timeoutMs && !lines().some((l) => l.startsWith('[hv] PANIC:'))) await new Promise((r) => setTimeout(r, 50));
      if (code === undefined) qemu.kill('SIGKILL');
      return code ?? null;
    },
  };
}

/**
 * Runs the CPUs until hart 0 is at hv_main()'s ecall of SBI HSM hart_start for `hart` (`others` run beside
 * it), stepping the CPUs that stop at other ecalls over them.
 */
async function untilHartStartOf(gdb: GdbRemote, hart: bigint, others: number[]): Promise<void> {
  const points = ecalls();
  for (const a of points) await gdb.breakpoint(a, true);
  for (let i = 0; i < 1000; i++) {
    const stop = await gdb.run([HART0, ...others], 60_000);
    if (stop === null) throw new Error('no ecall within 60 s');
    const thread = GdbRemote.stoppedThread(stop);
    const r = await gdb.registers(thread);
    if (thread === HART0 && r[A7] === SBI_EXT_HSM && r[A6] === SBI_HSM_HART_START && r[A0] === hart) {
      for (const a of points) await gdb.breakpoint(a, false);
      return;
    }
    await gdb.breakpoint(r[PC]!, false);
    await gdb.step(thread);
    await gdb.breakpoint(r[PC]!, true);
  }
  throw new Error('hv_main() never started the hart');
}

/** A load-reserved is only a read: every other AMO-major-opcode instruction (SC, AMOs) may have stored. */
const stores = (insn: number) => (insn & 0x7f) === 0x2f && insn >>> 27 !== 0b00010;

/** QEMU loads its default firmware (OpenSBI fw_dynamic) at the start of RAM; its code is in the first 192 KiB. */
const FIRMWARE = 0x80000000n;
const FIRMWARE_SCAN = 0x30000;

/** Where the firmware's code may hold an AMOSWAP.W/D (at every halfword: its code is compressed). */
function firmwareSwaps(code: Buffer): bigint[] {
  const at: bigint[] = [];
  for (let off = 0; off + 4 <= code.length; off += 2) {
    const insn = code.readUInt32LE(off);
    if ((insn & 0x7f) === 0x2f && ((insn >>> 12) & 6) === 2 && insn >>> 27 === 0b00001) at.push(FIRMWARE + BigInt(off));
  }
  return at;
}

/** After the harts are let go: both guests run to their end, nothing panics, and QEMU exits 0. */
async function expectCleanPowerOff(m: Machine): Promise<void> {
  const code = await m.finish(60_000);
  const lines = m.lines();
  if (code !== 0) console.log(lines.slice(-30).join('\n'));
  expect(lines.filter((l) => l.startsWith('[hv] PANIC:'))).toEqual([]);
  expect(lines).toContain('[beta] Goodbye from beta, powering off');
  expect(lines).toContain('[alpha] Goodbye from alpha, powering off');
  expect(lines).toContain('[hv] all guests have stopped, powering off');
  expect(code).toBe(0);
}

describe('riscv64: starting the secondary harts through OpenSBI v1.1', () => {
  test('a hart that firmware lets go before it was given its entry arrives at _start, and joins as its pCPU', async () => {
    const m = await machine();
    const { gdb } = m;
    const start = symbol('_start');
    const secondary = symbol('_secondary_entry');
    const imageStart = symbol('__hv_image_start');

    await untilHartStartOf(gdb, 1n, [HART1, 3, 4]);
    // Hart 0 goes into the firmware's hart_start one instruction at a time. After each store to memory there,
    // hart 1 runs alone for a while: once it sees START_PENDING it leaves the firmware with whatever address
    // and argument it finds.
    let arrived: bigint[] | null = null;
    let firmwarePc = 0n;
    for (let steps = 0; steps < 100_000 && !arrived; steps++) {
      const pc = (await gdb.registers(HART0))[PC]!;
      if (steps > 0 && pc >= imageStart) throw new Error(`hart_start returned after ${steps} instructions and hart 1 never left before it had its entry`);
      const insn = await gdb.word(pc);
      await gdb.step(HART0);
      if (!stores(insn)) continue;
      await gdb.breakpoint(start, true);
      await gdb.breakpoint(secondary, true);
      const stop = await gdb.run([HART1], 5000);
      await gdb.breakpoint(start, false);
      await gdb.breakpoint(secondary, false);
      if (stop === null) continue;
      expect(GdbRemote.stoppedThread(stop)).toBe(HART1);
      const r = await gdb.registers(HART1);
      // An entry only after the firmware has stored it would be no race: this must be the cold boot's.
      expect(r[PC]).toBe(start);
      arrived = r;
      firmwarePc = pc;
    }
    expect(arrived).not.toBeNull();
    expect(firmwarePc < imageStart).toBe(true);		// hart 0 is still inside the firmware's hart_start
    expect(arrived![A0]).toBe(1n);				// the hart ID is right...
    expect(arrived![A1]).not.toBe(1n);			// ...the argument is not the pCPU index hv_main() passed
    await gdb.detach();

    await expectCleanPowerOff(m);
  }, 300_000);

  test('the lottery winner that is not pCPU 0\'s hart, started again before it has stopped, is started once it has', async () => {
    const m = await machine();
    const { gdb } = m;
    const start = symbol('_start');
    const secondary = symbol('_secondary_entry');
    const imageStart = symbol('__hv_image_start');
    // _start's own two ecalls: hart_start of pCPU 0's hart, then hart_stop.
    const own = ecalls().filter((a) => a >= start && a < secondary);
    expect(own).toHaveLength(2);

    // Hart 0 from reset up to its first atomic swap, OpenSBI's cold boot lottery (atomic_xchg), and held
    // there. It goes first because the harts wait for it to relocate the firmware and its DTB.
    const swaps = firmwareSwaps(await gdb.read(FIRMWARE, FIRMWARE_SCAN));
    expect(swaps.length).toBeGreaterThan(0);
    for (const a of swaps) await gdb.breakpoint(a, true);
    const atLottery = await gdb.run([HART0], 60_000);
    expect(atLottery).not.toBeNull();
    expect(GdbRemote.stoppedThread(atLottery!)).toBe(HART0);
    for (const a of swaps) await gdb.breakpoint(a, false);

    // Hart 1 alone: it wins the lottery, enters _start, starts hart 0 and is held just before it stops
    // itself (only the winner can be at that ecall).
    await gdb.breakpoint(own[1]!, true);
    const stop = await gdb.run([HART1], 60_000);
    expect(stop).not.toBeNull();
    expect(GdbRemote.stoppedThread(stop!)).toBe(HART1);
    expect((await gdb.registers(HART1))[PC]).toBe(own[1]);

    // Hart 0 boots and starts hart 1, which is still on: the firmware says so.
    await untilHartStartOf(gdb, 1n, [3, 4]);
    let pc = 0n;
    for (let steps = 0; steps < 100_000; steps++) {
      await gdb.step(HART0);
      pc = (await gdb.registers(HART0))[PC]!;
      if (pc >= imageStart) break;
    }
    expect(pc >= imageStart).toBe(true);
    expect((await gdb.registers(HART0))[A0]).toBe(SBI_ERR_ALREADY_AVAILABLE);

    // Hart 1 goes on to stop itself; hart 0 must start it once it has.
    await gdb.breakpoint(own[1]!, false);
    await gdb.detach();
    await expectCleanPowerOff(m);
  }, 300_000);
});
