// `npm run build`'s second step: the CLI as one CommonJS file, dist/hvcc.cjs, from what tsc emitted
// (bin/hvcc.js runs it through V8's code cache). Not part of the installed command.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';
import Handlebars from 'handlebars';
import { CONFIG_TEMPLATE_OPTIONS } from '../dist/compiler/codegen/config-module.js';

const configTemplateSource = readFileSync(new URL('../compiler/codegen/templates/config.ll.hbs', import.meta.url), 'utf8');

// string-width (one of its copies) builds /^\p{RGI_Emoji}$/v when it is loaded: a set of thousands of emoji
// sequences, which V8 compiles there and then, some 30 ms of every start. It is built on first use instead
// (only --help and yargs' errors measure text widths).
const EMOJI_LITERAL = String.raw`/^\p{RGI_Emoji}$/v`;
const LAZY_EMOJI = String.raw`{ test(text) { return (this.re ??= new RegExp('^\\p{RGI_Emoji}$', 'v')).test(text); } }`;
const lazyEmojiRegex = {
  name: 'lazy-emoji-regex',
  setup(b) {
    b.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(EMOJI_LITERAL)) return undefined;
      return { contents: source.replace(EMOJI_LITERAL, () => LAZY_EMOJI), loader: 'js' };
    });
  },
};

// yargs' platform shim imports node's assert for two invariant checks (strictEqual, notStrictEqual); loading
// node:assert takes 1-5 ms of every start. The same two checks, with assert's comparison (Object.is).
const lightAssert = {
  name: 'light-assert',
  setup(b) {
    b.onResolve({ filter: /^assert$/ }, (args) => (/[\\/]yargs[\\/]/.test(args.importer) ? { path: 'assert', namespace: 'light-assert' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'light-assert' }, () => ({
      loader: 'js',
      contents: [
        'export function strictEqual(actual, expected, message) { if (!Object.is(actual, expected)) throw new Error(message ?? `expected ${String(expected)}, got ${String(actual)}`); }',
        'export function notStrictEqual(actual, expected, message) { if (Object.is(actual, expected)) throw new Error(message ?? `expected anything but ${String(expected)}`); }',
      ].join('\n'),
    }));
  },
};

// yargs' factory turns its --version option on, which guesses the version by walking up from the bundle to
// the nearest package.json and reading each folder on the way: some 12 ms of every start, for an option hvcc
// replaces with its own (-V, main.ts). The factory's option starts off instead.
const FACTORY_VERSION = 'yargs.version();';
const noVersionGuess = {
  name: 'no-version-guess',
  setup(b) {
    b.onLoad({ filter: /[\\/]yargs[\\/]build[\\/]lib[\\/]yargs-factory\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(FACTORY_VERSION)) throw new Error(`${args.path}: yargs' factory no longer calls ${FACTORY_VERSION} (update bin/bundle.mjs)`);
      return { contents: source.replace(FACTORY_VERSION, () => 'yargs.version(false);'), loader: 'js' };
    });
  },
};

await build({
  entryPoints: ['dist/compiler/cli/main.js'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: 'dist/hvcc.cjs',
  logLevel: 'warning',
  logOverride: { 'empty-import-meta': 'silent' },
  plugins: [lazyEmojiRegex, lightAssert, noVersionGuess],
  define: {
    // The configuration module's template, compiled now rather than in every build (config-module.ts).
    __hvcc_config_template: JSON.stringify({ source: configTemplateSource, spec: Handlebars.precompile(configTemplateSource, CONFIG_TEMPLATE_OPTIONS) }),
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
