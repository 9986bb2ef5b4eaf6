#!/usr/bin/env node
// The CLI runs from one bundled file, dist/hvcc.cjs (npm run build writes it with esbuild), compiled through
// V8's code cache: the first run of a build of hvcc leaves the compiled code in the cache folder
// ($HVCC_CACHE_DIR, else ~/.cache/hvcc, under v8/), and every later run starts from it instead of parsing
// and compiling 2 MB of JavaScript again. A cache V8 refuses (another node, another bundle) is rewritten;
// one that cannot be read or written is only slower. See docs/pipeline.md, "Start-up".
'use strict';
// The launcher is CommonJS (bin/package.json): node reaches a CommonJS entry point sooner than an ES module.
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { homedir } = require('node:os');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'hvcc.cjs');
// esbuild writes the bundle as ASCII (other characters escaped), so latin1 reads it unchanged, and faster.
const source = readFileSync(bundle, 'latin1');
const env = process.env;
const cacheRoot = env.HVCC_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'hvcc');
const st = statSync(bundle);
// Caches are named by the install (the bundle's path) and then by the bundle's build: a new build of an
// install replaces that install's older caches, which nothing would read again.
// (FNV-1a: node:crypto alone takes some 7 ms to load.)
let fnv = 0x811c9dc5;
for (let i = 0; i < bundle.length; i++) fnv = Math.imul(fnv ^ bundle.charCodeAt(i), 0x01000193) >>> 0;
const install = fnv.toString(16).padStart(8, '0');
const key = `${process.version}-${process.arch}-${st.size}-${Math.round(st.mtimeMs)}`.replace(/[^\w.-]/g, '_');
// One cache per command: each holds the code its command ran (validate's is not build's).
const command = /^[a-z]{1,20}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
const cacheFile = join(cacheRoot, 'v8', `hvcc-${install}-${key}-${command}.bin`);
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  ...(cachedData ? { cachedData } : {}),
  importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
const bundled = { exports: {} };
script.runInThisContext()(bundled.exports, createRequire(bundle), bundled, bundle, dirname(bundle));
bundled.exports.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  if (!cachedData || script.cachedDataRejected) writeCache();
});

function writeCache() {
  // After the command ran: the cache then holds the functions it compiled too, not only the top level.
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
    // This install's caches of older builds go now; any other cache (another install, another node, the
    // unnamed caches of earlier hvcc versions) once a week old: an install in use rewrites its own.
    for (const name of readdirSync(dirname(cacheFile))) {
      const path = join(dirname(cacheFile), name);
      const olderBuild = name.startsWith(`hvcc-${install}-`) && !name.startsWith(`hvcc-${install}-${key}-`);
      if (olderBuild || (!name.startsWith(`hvcc-${install}-`) && Date.now() - statSync(path).mtimeMs > 7 * 24 * 3600 * 1000)) rmSync(path, { force: true });
    }
  } catch {
    // a read-only or missing cache folder: the next run compiles again
  }
}
