import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { checkOutputFolder, FileFailure, failureOf, isFileSystemError, pathKind } from '../fs/files.js';
import type { System } from '../../schemas/model.js';
import type { ArchBackend } from '../arch/backend.js';
import { layoutMessages } from '../layout/messages.js';
import { emitConfigModule, type ConfigModule } from '../codegen/config-module.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { readElfImage } from '../layout/images.js';
import type { Layout } from '../layout/layout.js';
import { end, formatRange, hex } from '../util/ranges.js';
import { defaultCacheDir, hvccVersion, packageRoot, runningCode, runtimeDir, templatesDir } from '../paths.js';
import type { Plan } from '../plan/plan.js';
import { cached, cacheLimitBytes, sha256, trimCacheSometimes } from '../toolchain/cache.js';
import { lz4Compress } from '../compress/lz4.js';
import { FileHashes } from '../toolchain/file-hashes.js';
import { buildRuntime, CLANG } from '../toolchain/runtime-build.js';
import { ToolError, type ToolLog } from '../toolchain/tools.js';
import { toolAnswer } from '../toolchain/tool-identity.js';
import { analyze, type AnalyzeOptions } from './analyze.js';
import { flatBinary, linkImage } from '../toolchain/link.js';
import type { ResolvedOptions } from '../kconfig/options.js';
import { printDts } from '../dts/dtb.js';
import { timed } from '../util/timings.js';
import { treeEntries } from './run-stamp.js';
import { componentSearchPath } from '../components/catalogue.js';

export interface BuildOptions extends AnalyzeOptions {
  verbose: boolean;
  log: (line: string) => void;
  cacheDir?: string;
  /** A long step's progress (the runtime's first compilation), for a terminal; undefined when it is done. */
  progress?: (step: string | undefined) => void;
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
  /** The files and folders the build depended on (for `hvcc run`'s stamp: driver/run-stamp.ts). */
  dependencies?: string[];
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
function buildManifest(system: System, plan: Plan, layout: Layout, options: ResolvedOptions, inputsHash: string, imageSegments: { paddr: bigint; filesz: bigint; memsz: bigint }[], stored: ConfigModule['storedSegments']) {
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
    guests: layout.guests.map((g, gi) => ({
      name: g.name,
      vmid: g.vmid,
      entry: hex(g.entry),
      image: g.imageFormat,
      memory: g.memory.map((m) => ({ ipa: formatRange({ base: m.ipa, size: m.size }), host: formatRange({ base: m.pa, size: m.size }), placed: m.allocated ? 'allocated' : 'pinned' })),
      devices: g.devices.map((d) => ({ node: d.path, window: formatRange(d.windows[0]!), emulator: d.emulator.manifest.name })),
      deviceTree: g.dtb ? { file: `guests/${g.name}.dtb`, address: hex(g.bootArg), bytes: g.dtb.length } : null,
      // What the image holds for each piece: `stored` bytes, an LZ4 block when `lz4` (CONFIG_HV_GUEST_IMAGE_LZ4_MAX),
      // made against the piece `dictionary` names when it does.
      loads: g.segments.map((s, si) => {
        const { bytes, lz4, dictionary } = stored[gi]![si]!;
        const piece = { ipa: formatRange({ base: s.ipa, size: BigInt(s.data.length) + s.zeroSize }), host: hex(s.destPa), bytes: s.data.length, stored: bytes, lz4 };
        return dictionary ? { ...piece, dictionary: { guest: layout.guests[dictionary.guest]!.name, load: dictionary.segment } } : piece;
      }),
      stage2Tables: g.stage2.tables.length,
    })),
    kconfig: options.source,
  };
}

/** Everything the image depends on, hashed: when it is unchanged, `hvcc run` reuses the last build. */
function inputsHash(sources: Map<string, string>, layout: Layout, plan: Plan, options: ResolvedOptions, inputFiles: readonly string[], hashes: FileHashes): string {
  const parts: (string | Uint8Array)[] = [hvccVersion()];
  for (const [file, text] of [...sources.entries()].sort()) parts.push(file, text);
  // The files the layout read (guest images, initrds) by their hash, remembered by file identity: an
  // unchanged 33 MB kernel is not hashed again. Where each guest's pieces go is part of the layout.
  for (const file of [...new Set(inputFiles)].sort()) parts.push(file, hashes.hash(file));
  for (const g of layout.guests) for (const s of g.segments) parts.push(`${g.name}@${s.destPa}+${s.data.length}+${s.zeroSize}`);
  // Whole component folders (sources, headers, manifest, linker script template) and the compiler itself.
  for (const c of plan.components) parts.push(c.component.dir, hashes.tree(c.component.dir));
  // The compiler: the code that runs (the bundle, or unbundled the modules tsc wrote) and its templates.
  if ('bundle' in runningCode) parts.push(hashes.hash(runningCode.bundle));
  else for (const tree of runningCode.trees) parts.push(hashes.tree(tree));
  parts.push(hashes.tree(templatesDir));
  parts.push(options.dotConfig);
  // What the description says, or what the command line put instead (hvcc run --escape).
  parts.push(`escape-key ${layout.console.escape}`);
  return sha256(...parts);
}

/** What a build read, and every folder where a lookup could have found another file (driver/run-stamp.ts). */
function dependencies(options: BuildOptions, sources: Map<string, string>, inputFiles: readonly string[], outDir: string): string[] {
  const paths = new Set<string>();
  for (const file of [...sources.keys(), ...inputFiles]) {
    const full = resolve(file);
    paths.add(full);
    paths.add(dirname(full));
  }
  for (const dir of options.includeDirs ?? []) paths.add(resolve(dir));
  if (options.configFile) paths.add(resolve(options.configFile));
  paths.add(process.cwd());
  paths.add(outDir);
  for (const f of OUTPUTS) paths.add(join(outDir, f));
  treeEntries(runtimeDir, paths);
  for (const dir of componentSearchPath(options.componentPath ?? [])) treeEntries(dir, paths);
  // The compiler: the code that runs and the templates it reads (its TypeScript sources are not read, and
  // stat-ing them and dist/ took most of an up-to-date run's check).
  if ('bundle' in runningCode) paths.add(runningCode.bundle);
  else for (const tree of runningCode.trees) treeEntries(tree, paths);
  treeEntries(templatesDir, paths);
  paths.add(join(packageRoot, 'package.json'));
  return [...paths];
}

/**
 * `hvcc build`: the whole pipeline. Outputs are written to a staging folder and renamed into place only
 * when everything succeeded, so a failed build leaves the previous outputs as they were.
 */
export function build(options: BuildOptions): BuildResult {
  const t = options.timings;
  const log: ToolLog = { verbose: options.verbose, write: options.log, timings: t };
  const analysis = analyze(options);
  const { diagnostics, sources } = analysis;
  const fail = (): BuildResult => ({ ok: false, diagnostics, sources });
  if (!analysis.system || !analysis.plan || !analysis.layout || !analysis.options) return fail();
  const { system, plan, layout, options: kconfig } = analysis;

  const outDir = resolve(options.outDir ?? defaultOutDir(system));
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const hashes = new FileHashes(cacheDir);
  const hash = timed(t, 'inputs hash', () => inputsHash(sources, layout, plan, kconfig, analysis.inputFiles ?? [], hashes));
  hashes.save();
  const manifestPath = join(outDir, 'manifest.json');
  const files: BuildFiles = { elf: join(outDir, 'hypervisor.elf'), bin: join(outDir, 'hypervisor.bin'), configLl: join(outDir, 'config.ll'), map: join(outDir, 'hypervisor.map'), manifest: manifestPath };

  if (options.reuse && isUpToDate(outDir, hash)) {
    if (log.verbose) log.write(`hvcc: ${outDir} is up to date`);
    return { ok: true, diagnostics, sources, outDir, system, arch: plan.backend, files, upToDate: true, dependencies: dependencies(options, sources, analysis.inputFiles ?? [], outDir) };
  }

  // The default folder (build/<name>) was not checked by the command line: a file in its way is HV0006.
  const unusable = checkOutputFolder(outDir, { what: 'the output folder', written: options.outDir ?? relative(process.cwd(), outDir) });
  if (unusable) {
    diagnostics.push(unusable);
    return fail();
  }
  let workDir: string;
  try {
    mkdirSync(dirname(outDir), { recursive: true });
    workDir = mkdtempSync(join(dirname(outDir), `.${basename(outDir)}.work-`));
  } catch (e) {
    diagnostics.push(failureOf(e, dirname(outDir), 'create').diagnostic({ what: 'the output folder' }));
    return fail();
  }
  try {
    const generatedInclude = join(workDir, 'include');
    mkdirSync(join(generatedInclude, 'hv'), { recursive: true });
    writeFileSync(join(generatedInclude, 'hv', 'kconfig.h'), kconfig.cHeader);
    const arch = plan.arch;
    const components = plan.components.map((c) => c.component);
    if (log.verbose) log.write(`hvcc: building '${system.name}' with ${components.map((c) => c.manifest.name).join(', ')}`);
    const triple = toolAnswer(CLANG, [`--target=${arch.manifest.target!.triple}`, '-print-effective-triple'], cacheDir).trim();
    // A guest image segment is compressed once per content and dictionary (some 130 ms per MiB): later builds read its block.
    const guestImageLz4 = {
      maxBytes: (kconfig.intValue('HV_GUEST_IMAGE_LZ4_MAX') ?? 0) * 1024,
      compress: (data: Uint8Array, dictionary?: Uint8Array) => {
        const make = () => lz4Compress(data, dictionary);
        if (data.length < 64 * 1024) return make();
        const key = dictionary ? sha256('lz4-block-dictionary', String(dictionary.length), dictionary, data) : sha256('lz4-block', data);
        return readFileSync(cached(cacheDir, key, '.lz4', (tmp) => writeFileSync(tmp, make())).path);
      },
    };
    const module = timed(t, 'codegen (configuration module)', () => emitConfigModule({ systemName: system.name, version: hvccVersion(), triple, dataLayout: arch.manifest.target!['data-layout'], layout, arch: plan.backend, components, kconfig: kconfig.values, guestImageLz4 }));
    for (const [path, text] of module.headers) {
      mkdirSync(dirname(join(generatedInclude, path)), { recursive: true });
      writeFileSync(join(generatedInclude, path), text);
    }
    const runtime = timed(t, 'runtime (cached bitcode)', () => buildRuntime({ components, arch, generatedInclude, generatedSources: [{ name: 'instances.c', text: module.instancesSource }], cacheDir, runtimeDir, hashes, log, ...(options.progress ? { progress: options.progress } : {}) }));
    hashes.save();
    const exports = [...new Set(['hv_config', ...components.flatMap((c) => c.manifest.exports)])];
    const linked = timed(t, 'link (toolchain)', () => linkImage({ workDir, module, runtime, arch, exports, loadAddress: layout.hypervisor.base, cacheDir, log }));

    if (t && linked.linkCached) t.record('ld.lld-14: not run, the same inputs were linked before (cache)', 0, 1);
    // Only a build that added to the cache can have taken it past its limit (and it looks now and then).
    if (runtime.cacheHits < runtime.compilations || !linked.linkCached) {
      timed(t, 'cache trim', () => trimCacheSometimes(cacheDir, cacheLimitBytes()));
    }
    const elf = readElfImage(readFileSync(linked.elf), plan.backend.elfMachine);
    if (!elf.ok) throw new Error(`the linked image is unreadable: ${elf.reason}`);
    writeFileSync(join(workDir, 'hypervisor.bin'), flatBinary(elf.image.segments));
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
    writeFileSync(join(workDir, 'manifest.json'), JSON.stringify(buildManifest(system, plan, layout, kconfig, hash, segments, module.storedSegments), null, 2) + '\n');

    mkdirSync(outDir, { recursive: true });
    // Nothing is moved in unless everything can be: a folder where an output file goes (or a file where
    // guests/ goes) fails the build before the previous outputs are touched.
    for (const name of [...OUTPUTS, 'guests']) {
      const target = join(outDir, name);
      const kind = pathKind(target);
      if (kind === 'missing' || kind === (name === 'guests' ? 'folder' : 'file')) continue;
      const failure = new FileFailure(target, name === 'guests' ? 'ENOTDIR' : 'EISDIR', 'rename', kind);
      diagnostics.push(failure.diagnostic({ what: 'the build output', written: options.outDir ? join(options.outDir, name) : target, help: `move '${target}' away: hvcc writes its ${name === 'guests' ? 'guests folder' : name} there` }));
      return fail();
    }
    // Guest trees first (a folder swapped whole), then the files; manifest.json last. An output identical
    // to the one in place is left as it is (its identity unchanged: `hvcc run`'s stamp still holds).
    const guestsDir = join(outDir, 'guests');
    if (!sameTree(join(workDir, 'guests'), guestsDir)) {
      rmSync(guestsDir, { recursive: true, force: true });
      renameSync(join(workDir, 'guests'), guestsDir);
    }
    for (const name of OUTPUTS) if (!sameFile(join(workDir, name), join(outDir, name))) renameSync(join(workDir, name), join(outDir, name));
    return { ok: true, diagnostics, sources, outDir, system, arch: plan.backend, files, dependencies: dependencies(options, sources, analysis.inputFiles ?? [], outDir) };
  } catch (e) {
    if (e instanceof ToolError) {
      diagnostics.push(e.diagnostic);
      return fail();
    }
    // Writing the outputs or moving them into place (a folder where an output file goes, a full disk, ...).
    if (isFileSystemError(e)) {
      const path = e.path ?? outDir;
      const operation = e.syscall === 'rename' ? 'rename' : e.syscall === 'mkdir' ? 'create' : 'write';
      const target = e.syscall === 'rename' && (e as { dest?: string }).dest ? (e as { dest?: string }).dest! : path;
      diagnostics.push(failureOf(e, target, operation).diagnostic({ what: target.startsWith(workDir) ? 'a staging file of the build' : 'the build output' }));
      return fail();
    }
    throw e;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.isFile() && sb.isFile() && sa.size === sb.size && readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
}

/** Whether two folders hold the same files with the same bytes (one level: the guests' trees). */
function sameTree(a: string, b: string): boolean {
  try {
    const na = readdirSync(a).sort();
    const nb = readdirSync(b).sort();
    return na.length === nb.length && na.every((n, i) => n === nb[i] && sameFile(join(a, n), join(b, n)));
  } catch {
    return false;
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

