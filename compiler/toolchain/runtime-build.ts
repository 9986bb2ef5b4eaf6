import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Component } from '../components/catalogue.js';
import { cached, sha256 } from './cache.js';
import { FileHashes } from './file-hashes.js';
import { runTool, type ToolLog } from './tools.js';
import { toolAnswer } from './tool-identity.js';

export interface RuntimeObjects {
  /** LLVM bitcode of the C sources, to be linked with the configuration module. */
  bitcode: string[];
  /** Objects assembled from .S sources, linked by ld.lld as they are. */
  objects: string[];
  /** How many compilations were served by the cache. */
  cacheHits: number;
  compilations: number;
}

export interface RuntimeBuildInput {
  components: readonly Component[];
  arch: Component;
  /** Folder holding the generated hv/kconfig.h and params/*.h. */
  generatedInclude: string;
  /** C sources the compiler generated for this system (the instances' state and parameters). */
  generatedSources?: { name: string; text: string }[];
  cacheDir: string;
  runtimeDir: string;
  /** Hashes of the sources and headers, remembered by file identity (default: none remembered). */
  hashes?: FileHashes;
  /** Told before each compilation the cache cannot serve ("3/16 core/src/guest.c"), and with undefined at the end. */
  progress?: (step: string | undefined) => void;
  log: ToolLog;
}

export const CLANG = 'clang-14';
const C_FLAGS = ['-std=gnu11', '-Wall', '-Wextra', '-Werror'];
/**
 * -O2; -Oz for a component's `cold-sources` (code that runs rarely: smaller matters more than faster there);
 * -Os for its `size-sources` (on an exit path, but measured as fast at -Os).
 */
function optLevel(component: Component, source: string): string {
  if (component.manifest['cold-sources'].includes(source)) return '-Oz';
  return component.manifest['size-sources'].includes(source) ? '-Os' : '-O2';
}

/**
 * Compiles the planned components' sources: C to bitcode, assembly to objects. Each result is cached by the
 * hash of its source, every header it could include, the flags and the compiler's version.
 */
export function buildRuntime(input: RuntimeBuildInput): RuntimeObjects {
  const target = input.arch.manifest.target!;
  const includeDirs = [
    input.generatedInclude,
    ...input.components.flatMap((c) => c.manifest['public-include'].map((d) => join(c.dir, d))),
  ];
  const clangVersion = toolAnswer(CLANG, ['--version'], input.cacheDir);
  const hashes = input.hashes ?? new FileHashes(undefined);
  const headersHash = sha256(...includeDirs.map((d) => hashes.tree(d)));
  const common = [`--target=${target.triple}`, ...target.cflags, ...includeDirs.map((d) => `-I${d}`)];
  const result: RuntimeObjects = { bitcode: [], objects: [], cacheHits: 0, compilations: 0 };
  const total = input.components.reduce((a, c) => a + c.manifest.sources.length, 0) + (input.generatedSources?.length ?? 0);
  let compiled = 0;
  const announce = (name: string) => input.progress?.(`compiling the runtime: ${++compiled}/${total} ${name}`);
  for (const component of input.components) {
    const componentFlags = [`-I${component.dir}`];
    for (const source of component.manifest.sources) {
      const path = join(component.dir, source);
      const isAsm = source.endsWith('.S');
      const flags = isAsm ? [...common, ...componentFlags, '-D__ASSEMBLY__', '-c'] : [...common, optLevel(component, source), ...C_FLAGS, ...componentFlags, '-emit-llvm', '-c'];
      // The key names the source by its path inside the runtime, not the machine's checkout location.
      const key = sha256(clangVersion, headersHash, relative(input.runtimeDir, path), hashes.hash(path), ...flags.map((f) => f.replaceAll(input.runtimeDir, '<runtime>').replaceAll(input.generatedInclude, '<gen>')));
      const entry = cached(input.cacheDir, key, isAsm ? '.o' : '.bc', (tmp) => {
        announce(relative(input.runtimeDir, path));
        runTool(CLANG, [...flags, path, '-o', tmp], input.log);
      });
      result.compilations++;
      if (entry.hit) result.cacheHits++;
      (isAsm ? result.objects : result.bitcode).push(entry.path);
    }
  }
  for (const source of input.generatedSources ?? []) {
    const flags = [...common, '-O2', ...C_FLAGS, '-emit-llvm', '-c', '-x', 'c'];
    const key = sha256(clangVersion, headersHash, source.name, source.text, ...flags.map((f) => f.replaceAll(input.runtimeDir, '<runtime>').replaceAll(input.generatedInclude, '<gen>')));
    const entry = cached(input.cacheDir, key, '.bc', (tmp) => {
      announce(source.name);
      const file = join(input.generatedInclude, '..', source.name);
      writeFileSync(file, source.text);
      runTool(CLANG, [...flags, file, '-o', tmp], input.log);
    });
    result.compilations++;
    if (entry.hit) result.cacheHits++;
    result.bitcode.push(entry.path);
  }
  if (compiled > 0) input.progress?.(undefined);
  return result;
}
