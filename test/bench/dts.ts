/**
 * Device-tree front end benchmark (not a timed test): hvcc's parseDts + encodeDtb against Debian's dtc on a
 * generated 5 MB source and on a typical board (QEMU's virt DTB decompiled, or the basic fixture without QEMU).
 * Returns printable lines; `npm run bench` prints them.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeDtb, parseDts } from '../../compiler/dts/index.js';

const RUNS = Number(process.env.HVCC_BENCH_RUNS ?? 5);

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** A synthetic tree of about `bytes` bytes: buses of devices with reg, interrupts, clocks, strings and references. */
export function generateDts(bytes: number): string {
  const out: string[] = ['/dts-v1/;\n\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n\tinterrupt-parent = <&gic>;\n'];
  out.push('\tgic: interrupt-controller@8000000 {\n\t\tcompatible = "arm,gic-v3";\n\t\t#interrupt-cells = <3>;\n\t\t#address-cells = <0>;\n\t\tinterrupt-controller;\n\t\treg = <0x0 0x8000000 0x0 0x10000>;\n\t};\n');
  out.push('\tclk: clock {\n\t\tcompatible = "fixed-clock";\n\t\t#clock-cells = <0>;\n\t\tclock-frequency = <24000000>;\n\t};\n');
  let size = out.join('').length;
  let bus = 0;
  while (size < bytes) {
    const busAddr = 0x10000000 + bus * 0x100000;
    const lines: string[] = [`\tbus${bus}: bus@${busAddr.toString(16)} {\n\t\tcompatible = "simple-bus";\n\t\t#address-cells = <2>;\n\t\t#size-cells = <2>;\n\t\tranges;\n\t\treg = <0x0 0x${busAddr.toString(16)} 0x0 0x100000>;\n`];
    for (let d = 0; d < 64; d++) {
      const a = busAddr + d * 0x1000;
      lines.push(
        `\t\tdev${bus}_${d}: device@${a.toString(16)} {\n` +
          `\t\t\tcompatible = "vendor,device-${d % 7}", "vendor,generic";\n` +
          `\t\t\treg = <0x0 0x${a.toString(16)} 0x0 0x1000>;\n` +
          `\t\t\tinterrupts = <0 ${(bus * 64 + d) % 988} 4>;\n` +
          `\t\t\tclocks = <&clk>;\n\t\t\tclock-names = "apb_pclk";\n` +
          `\t\t\tvalues = /bits/ 16 <${d} ${(d * 3) & 0xffff} ((${d} << 4) | 3)>;\n` +
          `\t\t\tbytes = [00 11 22 ${(d & 0xff).toString(16).padStart(2, '0')}];\n` +
          (d > 0 ? `\t\t\tpeer = <&dev${bus}_${d - 1}>;\n` : '') +
          `\t\t\tstatus = "okay";\n\t\t};\n`,
      );
    }
    lines.push('\t};\n');
    const chunk = lines.join('');
    out.push(chunk);
    size += chunk.length;
    bus++;
  }
  out.push('};\n');
  return out.join('');
}

function timeOurs(file: string): number[] {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    const r = parseDts(file, { preprocess: false });
    if (!r.tree) throw new Error(`hvcc failed on ${file}: ${r.diagnostics[0]?.message}`);
    encodeDtb(r.tree);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return times;
}

function timeDtc(file: string): number[] | undefined {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', '/dev/null', file]);
    if (r.error || r.status !== 0) return undefined;
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    // dtc is quadratic in the number of labels and references: one run is enough when it takes seconds
    if (times[0]! > 5000) break;
  }
  return times;
}

function line(label: string, file: string): string {
  const bytes = fs.statSync(file).size;
  const ours = median(timeOurs(file));
  const theirs = timeDtc(file);
  const ref = theirs ? median(theirs) : undefined;
  const ratio = ref ? ` (hvcc/dtc = ${(ours / ref).toFixed(2)})` : '';
  const runs = theirs && theirs.length !== RUNS ? `hvcc median of ${RUNS}, dtc ${theirs.length} run` : `median of ${RUNS}`;
  return `dts ${label} (${(bytes / 1e6).toFixed(2)} MB): hvcc ${ours.toFixed(1)} ms, dtc ${ref === undefined ? 'n/a' : ref.toFixed(1) + ' ms'}${ratio} [${runs}, wall time, dts -> dtb]`;
}

export async function benchDts(): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hvcc-bench-dts-'));
  try {
    const lines: string[] = [];
    const big = path.join(dir, 'big.dts');
    fs.writeFileSync(big, generateDts(5 * 1024 * 1024));
    lines.push(line('generated', big));
    let board = path.join(dir, 'virt.dts');
    const q = spawnSync('qemu-system-aarch64', ['-M', `virt,virtualization=on,gic-version=3,dumpdtb=${path.join(dir, 'virt.dtb')}`, '-cpu', 'cortex-a57', '-nographic'], { stdio: 'ignore', timeout: 60000 });
    const d = q.status === 0 ? spawnSync('dtc', ['-q', '-I', 'dtb', '-O', 'dts', '-o', board, path.join(dir, 'virt.dtb')]) : undefined;
    if (!d || d.status !== 0) {
      const here = path.dirname(fileURLToPath(import.meta.url));
      board = path.resolve(here, '..', '..', '..', 'test', 'fixtures', 'dts', 'diff', 'basic.dts');
      lines.push(line('typical board (basic fixture)', board));
    } else lines.push(line('typical board (QEMU virt)', board));
    return lines;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  benchDts().then((l) => console.log(l.join('\n')));
}
