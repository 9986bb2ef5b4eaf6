#!/usr/bin/env node
// The CLI runs from one bundled file, dist/hvcc.cjs (npm run build writes it with esbuild), compiled through
// V8's code cache: the first run of a build of hvcc leaves the compiled code in the cache folder
// ($HVCC_CACHE_DIR, else ~/.cache/hvcc, under v8/), and every later run starts from it instead of parsing
// and compiling 2 MB of JavaScript again. A cache V8 refuses (another node, another bundle) is rewritten;
// one that cannot be read or written is only slower. See docs/pipeline.md, "Start-up".
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const bundle = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'hvcc.cjs');
const source = readFileSync(bundle, 'utf8');
const env = process.env;
const cacheRoot = env.HVCC_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'hvcc');
const st = statSync(bundle);
const key = `${process.version}-${process.arch}-${st.size}-${Math.round(st.mtimeMs)}`.replace(/[^\w.-]/g, '_');
// One cache per command: each holds the code its command ran (validate's is not build's).
const command = /^[a-z]{1,20}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
const cacheFile = join(cacheRoot, 'v8', `hvcc-${key}-${command}.bin`);
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
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
process.exitCode = await module.exports.main(process.argv.slice(2));
if (!cachedData || script.cachedDataRejected) {
  // After the command ran: the cache then holds the functions it compiled too, not only the top level.
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
    // Caches of other builds of hvcc (or another node) a week old are not read again: an older build of
    // this checkout, or an install not used since. Another install in use rewrites its own when removed.
    for (const name of readdirSync(dirname(cacheFile))) {
      const path = join(dirname(cacheFile), name);
      if (!name.startsWith(`hvcc-${key}-`) && Date.now() - statSync(path).mtimeMs > 7 * 24 * 3600 * 1000) rmSync(path, { force: true });
    }
  } catch {
    // a read-only or missing cache folder: the next run compiles again
  }
}
