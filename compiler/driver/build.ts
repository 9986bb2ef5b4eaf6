import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { System } from '../../schemas/model.js';
import type { ArchBackend } from '../arch/backend.js';
import { layoutMessages } from '../layout/messages.js';
import { emitConfigModule } from '../codegen/config-module.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { readElfImage } from '../layout/images.js';
import type { Layout } from '../layout/layout.js';
import { end, formatRange, hex } from '../util/ranges.js';
import { hvccVersion, packageRoot, runtimeDir } from '../paths.js';
import type { Plan } from '../plan/plan.js';
import { defaultCacheDir, hashTree, sha256 } from '../toolchain/cache.js';
import { buildRuntime, CLANG } from '../toolchain/runtime-build.js';
import { runTool, ToolError, type ToolLog } from '../toolchain/tools.js';
import { analyze, type AnalyzeOptions } from './analyze.js';
import { linkImage } from '../toolchain/link.js';
import type { ResolvedOptions } from '../kconfig/options.js';
import { printDts } from '../dts/dtb.js';

export interface BuildOptions extends AnalyzeOptions {
  verbose: boolean;
  log: (line: string) => void;
  cacheDir?: string;
  /** Reuse the outputs in outDir when they were built from exactly these inputs (`hvcc run`). */
  reuse?: boolean;
}

export interface BuildResult {
  ok: boolean;
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
  outDir?: string;
  system?: System;
  /** The architecture backend the image was built for. */
  arch?: ArchBackend;
  /** Whether the previous outputs were reused (nothing changed). */
  upToDate?: boolean;
  files?: BuildFiles;
}

export interface BuildFiles {
  elf: string;
  bin: string;
  configLl: string;
  map: string;
  manifest: string;
}

const OUTPUTS = ['hypervisor.elf', 'hypervisor.bin', 'config.ll', 'hypervisor.map', 'hypervisor.ld', 'hvcc.config', 'manifest.json'] as const;

export function defaultOutDir(system: System): string {
  return resolve('build', system.name);
}


/** The manifest.json written next to the image: what went in, and why. */
function buildManifest(system: System, plan: Plan, layout: Layout, options: ResolvedOptions, inputsHash: string, imageSegments: { paddr: bigint; filesz: bigint; memsz: bigint }[]) {
  return {
    hvcc: hvccVersion(),
    system: system.name,
    description: system.file,
    inputsHash,
    board: { model: system.board.model, cpus: system.board.cpus.length, memory: system.board.memory.map((m) => formatRange(m)) },
    hypervisor: { region: formatRange(layout.hypervisor), loaded: imageSegments.map((s) => ({ address: hex(s.paddr), fileBytes: Number(s.filesz), memoryBytes: Number(s.memsz) })) },
    components: plan.components.map((c) => ({
      name: c.component.manifest.name,
      kind: c.component.manifest.kind,
      folder: c.component.dir.slice(packageRoot.length + 1),
      reasons: c.reasons.map((r) => ({ why: r.why, ...(r.node ? { node: r.node } : {}), ...(r.span ? { at: `${r.span.file}:${r.span.start.line}:${r.span.start.column}` } : {}) })),
    })),
    cpus: layout.pcpus.map((p) => ({
      cpu: system.board.cpus[p.boardCpu]!.path,
      hwid: hex(p.hwid),
      guest: p.guest === undefined ? null : layout.guests[p.guest]!.name,
      vcpu: p.vcpu ?? null,
      runs: p.runs.map((r) => ({ guest: layout.guests[r.guest]!.name, vcpu: r.vcpu })),
    })),
    guests: layout.guests.map((g) => ({
      name: g.name,
      vmid: g.vmid,
      entry: hex(g.entry),
      image: g.imageFormat,
      memory: g.memory.map((m) => ({ ipa: formatRange({ base: m.ipa, size: m.size }), host: formatRange({ base: m.pa, size: m.size }), placed: m.allocated ? 'allocated' : 'pinned' })),
      devices: g.devices.map((d) => ({ node: d.path, window: formatRange(d.windows[0]!), emulator: d.emulator.manifest.name })),
      deviceTree: g.dtb ? { file: `guests/${g.name}.dtb`, address: hex(g.bootArg), bytes: g.dtb.length } : null,
      loads: g.segments.map((s) => ({ ipa: formatRange({ base: s.ipa, size: BigInt(s.data.length) + s.zeroSize }), host: hex(s.destPa) })),
      stage2Tables: g.stage2.tables.length,
    })),
    kconfig: options.source,
  };
}

/** Everything the image depends on, hashed: when it is unchanged, `hvcc run` reuses the last build. */
function inputsHash(sources: Map<string, string>, layout: Layout, plan: Plan, options: ResolvedOptions): string {
  const parts: (string | Uint8Array)[] = [hvccVersion()];
  for (const [file, text] of [...sources.entries()].sort()) parts.push(file, text);
  // What each guest loads (image, initrd, device tree), as the layout already read it: no second read.
  for (const g of layout.guests) for (const s of g.segments) parts.push(`${g.name}@${s.destPa}+${s.zeroSize}`, s.data);
  // Whole component folders (sources, headers, manifest, linker script template) and the compiler itself.
  for (const c of plan.components) parts.push(c.component.dir, hashTree(c.component.dir));
  parts.push(hashTree(join(packageRoot, 'compiler')));
  parts.push(options.dotConfig);
  // What the description says, or what the command line put instead (hvcc run --escape).
  parts.push(`escape-key ${layout.console.escape}`);
  return sha256(...parts);
}

/**
 * `hvcc build`: the whole pipeline. Outputs are written to a staging folder and renamed into place only
 * when everything succeeded, so a failed build leaves the previous outputs as they were.
 */
export function build(options: BuildOptions): BuildResult {
  const log: ToolLog = { verbose: options.verbose, write: options.log };
  const analysis = analyze(options);
  const { diagnostics, sources } = analysis;
  const fail = (): BuildResult => ({ ok: false, diagnostics, sources });
  if (!analysis.system || !analysis.plan || !analysis.layout || !analysis.options) return fail();
  const { system, plan, layout, options: kconfig } = analysis;

  const outDir = resolve(options.outDir ?? defaultOutDir(system));
  const hash = inputsHash(sources, layout, plan, kconfig);
  const manifestPath = join(outDir, 'manifest.json');
  const files: BuildFiles = { elf: join(outDir, 'hypervisor.elf'), bin: join(outDir, 'hypervisor.bin'), configLl: join(outDir, 'config.ll'), map: join(outDir, 'hypervisor.map'), manifest: manifestPath };

  if (options.reuse && isUpToDate(outDir, hash)) {
    if (log.verbose) log.write(`hvcc: ${outDir} is up to date`);
    return { ok: true, diagnostics, sources, outDir, system, arch: plan.backend, files, upToDate: true };
  }

  mkdirSync(dirname(outDir), { recursive: true });
  const workDir = mkdtempSync(join(dirname(outDir), `.${basename(outDir)}.work-`));
  try {
    const generatedInclude = join(workDir, 'include');
    mkdirSync(join(generatedInclude, 'hv'), { recursive: true });
    writeFileSync(join(generatedInclude, 'hv', 'kconfig.h'), kconfig.cHeader);
    const arch = plan.arch;
    const components = plan.components.map((c) => c.component);
    if (log.verbose) log.write(`hvcc: building '${system.name}' with ${components.map((c) => c.manifest.name).join(', ')}`);
    const triple = runTool(CLANG, [`--target=${arch.manifest.target!.triple}`, '-print-effective-triple'], { verbose: false, write: () => {} }).trim();
    const module = emitConfigModule({ systemName: system.name, version: hvccVersion(), triple, dataLayout: arch.manifest.target!['data-layout'], layout, arch: plan.backend, components, kconfig: kconfig.values });
    for (const [path, text] of module.headers) {
      mkdirSync(dirname(join(generatedInclude, path)), { recursive: true });
      writeFileSync(join(generatedInclude, path), text);
    }
    const runtime = buildRuntime({ components, arch, generatedInclude, generatedSources: [{ name: 'instances.c', text: module.instancesSource }], cacheDir: options.cacheDir ?? defaultCacheDir(), runtimeDir, log });
    const exports = [...new Set(['hv_config', ...components.flatMap((c) => c.manifest.exports)])];
    const linked = linkImage({ workDir, module, runtime, arch, exports, loadAddress: layout.hypervisor.base, log });

    const elf = readElfImage(readFileSync(linked.elf), plan.backend.elfMachine);
    if (!elf.ok) throw new Error(`the linked image is unreadable: ${elf.reason}`);
    const segments = elf.image.segments.map((s) => ({ paddr: s.ipa, filesz: BigInt(s.data.length), memsz: BigInt(s.data.length) + s.zeroSize }));
    const imageEnd = segments.reduce((a, s) => (s.paddr + s.memsz > a ? s.paddr + s.memsz : a), 0n);
    if (imageEnd > end(layout.hypervisor)) {
      diagnostics.push(
        diagnostic(layoutMessages.hypervisorTooLarge, `the hypervisor image ends at ${hex(imageEnd)}, beyond its region ${formatRange(layout.hypervisor)}`, system.hypervisor.region.span, {
          help: `make the region at least ${hex(imageEnd - layout.hypervisor.base)} bytes`,
        }),
      );
      return fail();
    }
    writeFileSync(join(workDir, 'hvcc.config'), kconfig.dotConfig);
    // Each guest's device tree, as the blob it boots with and as source (`hvcc dtc -I dtb -O dts` agrees).
    mkdirSync(join(workDir, 'guests'), { recursive: true });
    for (const g of layout.guests) {
      if (!g.dtb || !g.deviceTree) continue;
      writeFileSync(join(workDir, 'guests', `${g.name}.dtb`), g.dtb);
      writeFileSync(join(workDir, 'guests', `${g.name}.dts`), printDts(g.deviceTree));
    }
    writeFileSync(join(workDir, 'manifest.json'), JSON.stringify(buildManifest(system, plan, layout, kconfig, hash, segments), null, 2) + '\n');

    mkdirSync(outDir, { recursive: true });
    // Guest trees first (a folder swapped whole), then the files; manifest.json last.
    const guestsDir = join(outDir, 'guests');
    rmSync(guestsDir, { recursive: true, force: true });
    renameSync(join(workDir, 'guests'), guestsDir);
    for (const name of OUTPUTS) renameSync(join(workDir, name), join(outDir, name));
    return { ok: true, diagnostics, sources, outDir, system, arch: plan.backend, files };
  } catch (e) {
    if (e instanceof ToolError) {
      diagnostics.push(e.diagnostic);
      return fail();
    }
    throw e;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Whether `outDir` holds a complete build of exactly these inputs. */
export function isUpToDate(outDir: string, hash: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as { inputsHash?: string };
    return manifest.inputsHash === hash && OUTPUTS.every((f) => existsSync(join(outDir, f)));
  } catch {
    return false;
  }
}

