import { connect, type Socket } from 'node:net';

/**
 * A client of QEMU's gdbstub (the GDB remote serial protocol), enough to hold some CPUs of a machine while
 * others run or step: that is how a test makes an interleaving between CPUs happen on demand. Threads are
 * QEMU's CPUs, numbered from 1 (CPU index + 1). All-stop: every CPU is stopped while a reply is awaited
 * after a stop, and `vCont` resumes only the CPUs it names.
 */
export class GdbRemote {
  private buffer = '';
  private readonly packets: string[] = [];
  private wake: (() => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => this.receive(data));
  }

  /** Connects to the stub on a Unix socket (`-chardev socket,path=...,server=on,wait=off -gdb chardev:...`). */
  static async open(path: string, timeoutMs = 10_000): Promise<GdbRemote> {
    const start = Date.now();
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect(path);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
        const remote = new GdbRemote(socket);
        await remote.request('qSupported:multiprocess-;swbreak+');
        await remote.request('?');
        return remote;
      } catch (e) {
        if (Date.now() - start > timeoutMs) throw e;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  private receive(data: string): void {
    this.buffer += data;
    for (;;) {
      this.buffer = this.buffer.replace(/^[^$]+/, '');
      const m = /^\$([^#]*)#[0-9a-fA-F]{2}/.exec(this.buffer);
      if (!m) return;
      this.buffer = this.buffer.slice(m[0].length);
      this.socket.write('+');
      this.packets.push(m[1]!);
      const wake = this.wake;
      this.wake = null;
      wake?.();
    }
  }

  send(packet: string): void {
    let sum = 0;
    for (const byte of Buffer.from(packet, 'latin1')) sum = (sum + byte) & 0xff;
    this.socket.write(`$${packet}#${sum.toString(16).padStart(2, '0')}`);
  }

  /** The next packet from the stub, or null when none came within the time. */
  async reply(timeoutMs = 10_000): Promise<string | null> {
    const start = Date.now();
    while (this.packets.length === 0) {
      const left = timeoutMs - (Date.now() - start);
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.packets.shift()!;
  }

  async request(packet: string, timeoutMs = 10_000): Promise<string> {
    this.send(packet);
    const r = await this.reply(timeoutMs);
    if (r === null) throw new Error(`gdbstub: no reply to ${packet}`);
    return r;
  }

  /** The thread (CPU) a stop reply names. */
  static stoppedThread(stop: string): number {
    const m = /thread:([0-9a-f]+);/.exec(stop);
    if (!m) throw new Error(`gdbstub: not a stop reply naming a thread: ${stop}`);
    return parseInt(m[1]!, 16);
  }

  /** x0..x31, then pc, of a RISC-V CPU. */
  async registers(thread: number): Promise<bigint[]> {
    await this.request(`Hg${thread.toString(16)}`);
    const g = await this.request('g');
    const regs: bigint[] = [];
    for (let i = 0; i < 33; i++) regs.push(littleEndian(g.slice(i * 16, i * 16 + 16)));
    return regs;
  }

  /** 4 bytes at an address, as the current thread sees it (physical while its translation is off). */
  async word(address: bigint): Promise<number> {
    return Number(littleEndian(await this.request(`m${address.toString(16)},4`)));
  }

  async read(address: bigint, size: number): Promise<Buffer> {
    const out = Buffer.alloc(size);
    for (let off = 0; off < size; off += 256) {
      const hex = await this.request(`m${(address + BigInt(off)).toString(16)},${Math.min(256, size - off).toString(16)}`);
      if (!/^([0-9a-f]{2})+$/.test(hex)) throw new Error(`gdbstub: cannot read 0x${(address + BigInt(off)).toString(16)}: ${hex}`);
      Buffer.from(hex, 'hex').copy(out, off);
    }
    return out;
  }

  async breakpoint(address: bigint, on: boolean): Promise<void> {
    const r = await this.request(`${on ? 'Z0' : 'z0'},${address.toString(16)},4`);
    if (r !== 'OK') throw new Error(`gdbstub: breakpoint at 0x${address.toString(16)}: ${r}`);
  }

  /** Steps one instruction on `thread` alone; the others stay stopped. */
  async step(thread: number): Promise<void> {
    await this.request(`vCont;s:${thread.toString(16)}`, 30_000);
  }

  /** Runs `threads` alone (all CPUs when none are given) until one stops; the others stay stopped. */
  async run(threads: number[], timeoutMs: number): Promise<string | null> {
    this.send(threads.length ? `vCont${threads.map((t) => `;c:${t.toString(16)}`).join('')}` : 'vCont;c');
    const stop = await this.reply(timeoutMs);
    if (stop !== null) return stop;
    this.socket.write('\x03');	// interrupt: the stub stops them and says so
    if ((await this.reply(10_000)) === null) throw new Error('gdbstub: the CPUs did not stop when interrupted');
    return null;
  }

  /** Leaves the machine running on its own. */
  async detach(): Promise<void> {
    await this.request('D');
    this.socket.end();
  }

  close(): void {
    this.socket.destroy();
  }
}

function littleEndian(hex: string): bigint {
  return BigInt(`0x${(hex.match(/../g) ?? ['00']).reverse().join('')}`);
}
