import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { Component } from '../components/catalogue.js';
import type { ConfigModule } from '../codegen/config-module.js';
import { diagnostic } from '../diagnostics/define.js';
import type { RuntimeObjects } from './runtime-build.js';
import { CLANG } from './runtime-build.js';
import { cached, markUsed, sha256 } from './cache.js';
import { toolchainMessages as M } from './messages.js';
import { toolAnswer } from './tool-identity.js';
import { runTool, type ToolLog } from './tools.js';
import { hex } from '../util/ranges.js';

export interface LinkInput {
  workDir: string;
  module: ConfigModule;
  runtime: RuntimeObjects;
  arch: Component;
  /** Symbols that must survive internalization: the runtime's exports and hv_config. */
  exports: string[];
  loadAddress: bigint;
  /** The content-addressed cache (the assembled guest images are kept there). */
  cacheDir: string;
  log: ToolLog;
}

export interface LinkedImage {
  elf: string;
  map: string;
  configLl: string;
  linkerScript: string;
  /** Whether the image came from the cache (linked before from the same inputs). */
  linkCached: boolean;
}

/**
 * The object holding the guest images (`.incbin` into `.rodata.guest.<name>`), assembled by clang-14 with
 * the arch's code-generation flags (ld.lld refuses to mix objects of different ABIs: RISC-V's float ABI is in
 * e_flags). It depends only on the images' bytes, so it is cached by their hash: an unchanged guest is not
 * assembled again.
 */
function guestImagesObject(input: LinkInput): string | undefined {
  const { module, workDir, log } = input;
  if (module.images.length === 0) return undefined;
  const target = input.arch.manifest.target!;
  const flags = [`--target=${target.triple}`, ...target.cflags, '-c'];
  const asm = (blobPath: (i: number) => string) =>
    module.images
      .map((img, i) => [`\t.section .rodata.guest.${img.section},"a"`, '\t.balign 16', `\t.globl ${img.symbol}`, `${img.symbol}:`, `\t.incbin "${blobPath(i)}"`].join('\n'))
      .join('\n\n') + '\n';
  const hashes = module.images.map((img) => sha256(img.bytes));
  const key = sha256('guest-images', toolAnswer(CLANG, ['--version'], input.cacheDir), ...flags, asm((i) => hashes[i]!));
  return cached(input.cacheDir, key, '.o', (tmp) => {
    module.images.forEach((img) => writeFileSync(join(workDir, `${img.symbol}.bin`), img.bytes));
    const imagesS = join(workDir, 'guest-images.S');
    writeFileSync(imagesS, asm((i) => join(workDir, `${module.images[i]!.symbol}.bin`)));
    runTool(CLANG, [...flags, imagesS, '-o', tmp], log);
  }).path;
}

/**
 * From the configuration module and the runtime objects to the hypervisor image, in two programs (neither
 * runs when the same inputs were linked before: the image comes from the cache): llvm-as-14 turns the configuration module's text into bitcode (and reports a syntax error in it with its
 * line), then ld.lld-14 links everything with link-time optimization: the bitcode modules are linked, every
 * symbol that neither an assembly object, the linker script nor an export (`-u`) refers to is internalized,
 * dead globals are dropped, the whole is optimized at O2 (the configuration's constants folded into the
 * code) and compiled with the arch's code-generation flags, then laid out by the arch's linker script.
 */
export function linkImage(input: LinkInput): LinkedImage {
  const { workDir, log } = input;
  const target = input.arch.manifest.target!;
  const configLl = join(workDir, 'config.ll');
  writeFileSync(configLl, input.module.text);
  const configBc = join(workDir, 'config.bc');

  const objects = [...input.runtime.objects];
  const images = guestImagesObject(input);
  if (images) objects.push(images);

  const scriptTemplate = readFileSync(join(input.arch.dir, input.arch.manifest['linker-script']!), 'utf8');
  const linkerScript = join(workDir, 'hypervisor.ld');
  writeFileSync(linkerScript, Handlebars.compile(scriptTemplate, { noEscape: true, strict: true })({ loadAddress: hex(input.loadAddress) }));

  const elf = join(workDir, 'hypervisor.elf');
  const map = join(workDir, 'hypervisor.map');
  const flags = ['-static', '--no-undefined', '--lto-O2', ...target['llc-flags'].flatMap((flag) => ['-mllvm', flag]), ...input.exports.flatMap((symbol) => ['-u', symbol])];
  const args = ['-T', linkerScript, `-Map=${map}`, ...flags, configBc, ...input.runtime.bitcode, ...objects, '-o', elf];

  // The link depends only on these bytes (the runtime's objects are named by their content hash): an image
  // linked before from the same configuration module and objects is taken from the cache, with its map
  // (which names the work folder of the build that linked it).
  const key = sha256('link', toolAnswer('ld.lld-14', ['--version'], input.cacheDir), ...flags, readFileSync(linkerScript), input.module.text, ...input.runtime.bitcode, ...objects);
  const entry = join(input.cacheDir, key.slice(0, 2), key);
  if (existsSync(`${entry}.elf`) && existsSync(`${entry}.map`)) {
    if (log.verbose) {
      log.write(`  llvm-as-14 ${configLl} -o ${configBc}  # not run: linked before from the same inputs (cache)`);
      log.write(`  ld.lld-14 ${args.join(' ')}  # not run: linked before from the same inputs (cache)`);
    }
    copyFileSync(`${entry}.elf`, elf);
    copyFileSync(`${entry}.map`, map);
    markUsed(`${entry}.elf`);
    markUsed(`${entry}.map`);
    return { elf, map, configLl, linkerScript, linkCached: true };
  }
  // Only for a link that runs: a cached image was linked from this very text, which assembled then.
  runTool('llvm-as-14', [configLl, '-o', configBc], log);
  runTool('ld.lld-14', args, log, {
    failure: (output) => {
      if (/duplicate symbol/.test(output)) {
        return diagnostic(M.linkFailed, 'linking the configuration module with the runtime failed: a symbol is defined twice', undefined, {
          notes: [output.split('\n').slice(0, 20).join('\n')],
          help: 'two runtime components define the same symbol; rename one or make it static',
        });
      }
      if (/Broken module|failed to verify|verification failed/i.test(output)) {
        return diagnostic(M.verifyFailed, 'the linked module did not pass the IR verifier', undefined, { notes: [output.split('\n').slice(0, 20).join('\n')] });
      }
      return undefined;
    },
  });
  // The map first: an entry counts only when its .elf is there too.
  for (const [from, ext] of [[map, '.map'], [elf, '.elf']] as const) cached(input.cacheDir, key, ext, (tmp) => copyFileSync(from, tmp));
  return { elf, map, configLl, linkerScript, linkCached: false };
}

/**
 * The image as a flat binary from its lowest loaded address, as `llvm-objcopy -O binary` writes it: the
 * PT_LOAD segments' file bytes at their offsets from the lowest physical address, gaps zero-filled.
 */
export function flatBinary(segments: readonly { ipa: bigint; data: Uint8Array }[]): Uint8Array {
  const loaded = segments.filter((s) => s.data.length > 0);
  if (loaded.length === 0) return new Uint8Array(0);
  const low = loaded.reduce((a, s) => (s.ipa < a ? s.ipa : a), loaded[0]!.ipa);
  const high = loaded.reduce((a, s) => (s.ipa + BigInt(s.data.length) > a ? s.ipa + BigInt(s.data.length) : a), low);
  const out = new Uint8Array(Number(high - low));
  for (const s of loaded) out.set(s.data, Number(s.ipa - low));
  return out;
}
