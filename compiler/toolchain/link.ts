import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { Component } from '../components/catalogue.js';
import type { ConfigModule } from '../codegen/config-module.js';
import { linkModules } from './llvm-link.js';
import type { RuntimeObjects } from './runtime-build.js';
import { CLANG } from './runtime-build.js';
import { runTool, type ToolLog } from './tools.js';
import { hex } from '../util/ranges.js';

export interface LinkInput {
  workDir: string;
  module: ConfigModule;
  runtime: RuntimeObjects;
  arch: Component;
  /** Symbols that must survive internalize: the runtime's exports and hv_config. */
  exports: string[];
  loadAddress: bigint;
  log: ToolLog;
}

export interface LinkedImage {
  elf: string;
  bin: string;
  map: string;
  configLl: string;
  linkerScript: string;
}

/**
 * From the configuration module and the runtime objects to the hypervisor image: llvm-bindings link,
 * opt-14 (internalize, dead-global elimination, O2), llc-14, the guest images assembled with .incbin,
 * and ld.lld-14 with the arch's linker script.
 */
export function linkImage(input: LinkInput): LinkedImage {
  const { workDir, log } = input;
  const target = input.arch.manifest.target!;
  const configLl = join(workDir, 'config.ll');
  writeFileSync(configLl, input.module.text);

  const linkedBc = join(workDir, 'linked.bc');
  linkModules([configLl, ...input.runtime.bitcode], linkedBc, log, join(workDir, 'config-check.bc'));

  const optBc = join(workDir, 'optimized.bc');
  runTool('opt-14', [`-passes=internalize,globaldce,default<O2>`, `-internalize-public-api-list=${input.exports.join(',')}`, linkedBc, '-o', optBc], log);

  const hvObj = join(workDir, 'hypervisor.o');
  runTool('llc-14', ['-filetype=obj', `-mtriple=${target.triple}`, ...target['llc-flags'], optBc, '-o', hvObj], log);

  const objects = [hvObj, ...input.runtime.objects];
  if (input.module.images.length > 0) {
    const asm = input.module.images.map((img) => {
      const blob = join(workDir, `${img.symbol}.bin`);
      writeFileSync(blob, img.bytes);
      return [`\t.section .rodata.guest.${img.section},"a"`, '\t.balign 16', `\t.globl ${img.symbol}`, `${img.symbol}:`, `\t.incbin "${blob}"`].join('\n');
    });
    const imagesS = join(workDir, 'guest-images.S');
    writeFileSync(imagesS, asm.join('\n\n') + '\n');
    const imagesO = join(workDir, 'guest-images.o');
    // With the arch's code-generation flags: ld.lld refuses to mix objects of different ABIs (RISC-V's float ABI is in e_flags).
    runTool(CLANG, [`--target=${target.triple}`, ...target.cflags, '-c', imagesS, '-o', imagesO], log);
    objects.push(imagesO);
  }

  const scriptTemplate = readFileSync(join(input.arch.dir, input.arch.manifest['linker-script']!), 'utf8');
  const linkerScript = join(workDir, 'hypervisor.ld');
  writeFileSync(linkerScript, Handlebars.compile(scriptTemplate, { noEscape: true, strict: true })({ loadAddress: hex(input.loadAddress) }));

  const elf = join(workDir, 'hypervisor.elf');
  const map = join(workDir, 'hypervisor.map');
  runTool('ld.lld-14', ['-T', linkerScript, '-static', '--no-undefined', `-Map=${map}`, ...objects, '-o', elf], log);
  const bin = join(workDir, 'hypervisor.bin');
  runTool('llvm-objcopy-14', ['-O', 'binary', elf, bin], log);
  return { elf, bin, map, configLl, linkerScript };
}
