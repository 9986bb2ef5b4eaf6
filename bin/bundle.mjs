// `npm run build`'s second step: the CLI as one CommonJS file, dist/hvcc.cjs, from what tsc emitted
// (bin/hvcc.js runs it through V8's code cache). Not part of the installed command.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/compiler/cli/main.js'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: 'dist/hvcc.cjs',
  logLevel: 'warning',
  logOverride: { 'empty-import-meta': 'silent' },
  define: {
    'import.meta.url': '__hvcc_module_url',
    // string-width (yargs' and cliui's) builds an Intl.Segmenter when it is loaded, which loads ICU's
    // break-iterator data: tens of milliseconds at every start, for a --help that is seldom printed. This
    // one is made on first use.
    'Intl.Segmenter': '__hvcc_LazySegmenter',
  },
  banner: {
    js: [
      "var __hvcc_module_url = require('node:url').pathToFileURL(__filename).href;",
      'var __hvcc_LazySegmenter = class { constructor(...args) { this.args = args; } get real() { return (this.made ??= new Intl.Segmenter(...this.args)); } segment(text) { return this.real.segment(text); } resolvedOptions() { return this.real.resolvedOptions(); } };',
    ].join('\n'),
  },
});
