import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import * as z from 'zod';
import { kconfigCommands } from './kconfig-commands.js';
import type { BuildResult } from '../driver/build.js';
import { buildMessages } from '../driver/messages.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { checkOutputFolder, fileSystemDiagnostic, isFileSystemError, readBytes } from '../fs/files.js';
import { MAP_FORMATS } from './formats.js';
import { DIFF_FORMATS } from '../diff/render.js';
import { defaultCacheDir, hvccVersion, runningCode } from '../paths.js';
import { identityOf } from '../fs/identity.js';
import type { CatalogueCache } from '../components/catalogue.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { ESCAPE_KEY_FORMS, parseEscapeKey } from '../console/escape-key.js';
import { type Io, printDiagnostics, validateJson, validateSummary } from './output.js';
import { performance } from 'node:perf_hooks';
import { Timings } from '../util/timings.js';
import type { Attachment } from '../run/interactive.js';
import { append } from '../util/arrays.js';

class UsageError extends Error {}

/*
 * Each command's passes are imported when the command runs, not when hvcc starts: `hvcc validate` does not
 * load the code generator, the toolchain, the map's pictures, menuconfig or the dtc command line, and
 * `hvcc --version` loads almost nothing. (The bundle keeps them in one file; esbuild initializes a module
 * reached only through import() when it is first imported.)
 */

/**
 * Exit statuses: 0 success, 1 errors in the description (or a failed boot), 2 usage or internal failure;
 * `run`: 3 timed out, 4 the hypervisor panicked, 5 a guest was stopped by a fault.
 */
export const EXIT = { ok: 0, errors: 1, usage: 2, timeout: 3, panic: 4, fault: 5 } as const;

export interface MainOptions {
  /**
   * Called after a command's handler ran, with the options it read (long names; positionals by name).
   * The CLI's own tests compare them with what `--help` lists.
   */
  onOptionsRead?: (command: string, options: string[]) => void;
}

function defaultIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR,
    cwd: process.cwd(),
    ...(process.stderr.isTTY ? { progress: (step: string | undefined) => process.stderr.write(step === undefined ? '\r\x1b[K' : `\r\x1b[K${step.slice(0, (process.stderr.columns || 80) - 1)}`) } : {}),
  };
}

/** Short names the handlers may read, by the long name --help shows. */
const ALIASES: Record<string, string> = { i: 'include', v: 'verbose', q: 'quiet', o: 'output', acceptFaults: 'accept-faults', oldConfig: 'old-config', newConfig: 'new-config', oldLabel: 'old-label', newLabel: 'new-label' };
/** yargs' own keys, not options. */
const INTERNAL = new Set(['_', '$0', '--', 'help', 'version']);

/** argv, recording which options a handler reads (for `onOptionsRead`). */
function recording<T extends object>(argv: T, read: Set<string>): T {
  return new Proxy(argv, {
    get(target, key, receiver) {
      if (typeof key === 'string' && !INTERNAL.has(key) && !key.includes('-')) read.add(ALIASES[key] ?? key);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}

/** Options of the commands that read a description: build, run, validate, map. */
function descriptionOptions<T>(y: Argv<T>) {
  return y
    .option('include', { alias: 'i', type: 'string', requiresArg: true, describe: 'Add a folder to the /include/ search path (repeatable)' })
    .option('W', { type: 'string', requiresArg: true, describe: 'no-<check>: switch a check off (repeatable; names in docs/checks.md, docs/dts-checks.md)' })
    .option('werror', { type: 'boolean', describe: 'Treat warnings as errors' })
    .option('config', { type: 'string', requiresArg: true, describe: 'Kconfig .config to use (default: see docs/cli.md)' })
    .option('components', { type: 'string', requiresArg: true, describe: 'Add a folder of runtime components, searched after runtime/ (repeatable; also $HVCC_COMPONENT_PATH, ":"-separated)' })
    .option('timings', { type: 'boolean', describe: 'Print each pass and tool with its wall time to stderr when done' });
}

function list(value: unknown): string[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
}

interface DescriptionArgs {
  include?: unknown;
  components?: unknown;
  W?: unknown;
  werror?: boolean;
  config?: string;
  timings?: boolean;
}

/** Where a command's `--timings` measurements go; main prints them when the command is done. */
interface RunState {
  timings?: Timings;
  /** When main() was entered, counted from the process's start (performance.now()). */
  entered: number;
}

/** The options every description command reads, checked: -W names, and a --config file that can be read. */
async function commonOptions(
  argv: DescriptionArgs,
  state: RunState,
): Promise<{ includeDirs: string[]; componentPath: string[]; disabled: Set<string>; werror: boolean; configFile?: string; problems: Diagnostic[]; timings?: Timings; catalogueCache?: CatalogueCache }> {
  const { include, components, W, werror, config, timings } = argv;
  if (timings && !state.timings) {
    state.timings = new Timings();
    // performance.now() counts from the process's start: node's own start-up and loading hvcc's code.
    state.timings.record('start-up (node, loading hvcc)', state.entered);
    state.timings.record('command line', performance.now() - state.entered);
  }
  let disabled = new Set<string>();
  // The checks' catalogues (every architecture's) are loaded only to read -W: a run that boots an
  // up-to-date build needs none of them.
  if (W !== undefined && (!Array.isArray(W) || W.length > 0)) {
    const { WarningSwitchError, warningSwitches } = await import('./warnings.js');
    try {
      disabled = warningSwitches(W).disabled;
    } catch (e) {
      if (e instanceof WarningSwitchError) throw new UsageError(e.message);
      throw e;
    }
  }
  const problems: Diagnostic[] = [];
  if (config !== undefined) {
    const r = readBytes(config, { what: 'the --config file' });
    if (!r.ok) problems.push(r.diagnostic);
  }
  // Run from the bundle, the component catalogue is kept in the cache folder, for the bundle's build of hvcc.
  const catalogueCache = 'bundle' in runningCode ? { dir: defaultCacheDir(), code: identityOf(runningCode.bundle) } : undefined;
  return {
    includeDirs: list(include),
    componentPath: list(components),
    disabled,
    werror: Boolean(werror),
    ...(config !== undefined ? { configFile: config } : {}),
    problems,
    ...(state.timings ? { timings: state.timings } : {}),
    ...(catalogueCache ? { catalogueCache } : {}),
  };
}

/** Whether the description file can be read at all; the file-system reason when it cannot (HV0001 when it does not exist). */
function descriptionProblem(file: string): Diagnostic | undefined {
  const r = readBytes(file, { what: 'the description', notFound: buildMessages.fileNotFound });
  return r.ok ? undefined : r.diagnostic;
}

async function runBuild(io: Io, state: RunState, argv: DescriptionArgs & { file: string; O?: string; verbose?: boolean }, reuse = false, escapeKey?: number): Promise<BuildResult> {
  const { file, O, verbose } = argv;
  const common = await commonOptions(argv, state);
  const problems = [...common.problems];
  const missing = descriptionProblem(file);
  if (missing) problems.unshift(missing);
  if (O !== undefined) {
    const bad = checkOutputFolder(O, { what: 'the output folder (-O)', written: O });
    if (bad) problems.push(bad);
  }
  if (problems.length) {
    printDiagnostics(io, problems, new Map());
    return { ok: false, diagnostics: problems, sources: new Map() };
  }
  const { build } = await import('../driver/build.js');
  const result = build({
    ...(escapeKey !== undefined ? { escapeKey } : {}),
    reuse,
    file,
    outDir: O,
    configFile: common.configFile,
    includeDirs: common.includeDirs,
    componentPath: common.componentPath,
    catalogueCache: common.catalogueCache,
    verbose: Boolean(verbose),
    log: (line) => io.stderr(line + '\n'),
    werror: common.werror,
    disabled: common.disabled,
    timings: common.timings,
    // On a terminal (and without -v, which prints each command), one line that rewrites itself; else nothing.
    ...(io.progress && !verbose ? { progress: io.progress } : {}),
  });
  printDiagnostics(io, result.diagnostics, result.sources);
  return result;
}

export async function main(args: string[], io: Io = defaultIo(), options: MainOptions = {}): Promise<number> {
  const entered = performance.now();
  // zod compiles a fast path (new Function) for each object schema on its first parse, which pays off over
  // thousands of parses; a command parses each schema a few times, so compiling them cost ~25 ms a run.
  z.config({ jitless: true });
  // `hvcc dtc` stands in for dtc in existing scripts: its options are dtc's, so it bypasses hvcc's parser.
  if (args[0] === 'dtc') return (await import('../dts/dtc-cli.js')).runDtc(args.slice(1), { stdout: io.stdout, stderr: io.stderr, stdin: () => readFileSync(0) });
  if (args[0] === 'fdtoverlay') return (await import('./fdtoverlay.js')).runFdtoverlay(args.slice(1), io);
  // `hvcc conf` is Linux's scripts/kconfig/conf, options and all, for existing Kconfig trees.
  if (args[0] === 'conf') {
    const { runConf } = await import('../kconfig/conf-cli.js');
    // conf's text is Kconfig's bytes, one char each (latin1), as it read them: written back as those bytes.
    return runConf(args.slice(1), { stdout: { write: (s: string) => io.stdout(Buffer.from(s, 'latin1')) }, stderr: { write: (s: string) => io.stderr(s) }, stdin: io.stdin ?? process.stdin, stdinIsTTY: io.stdinIsTTY ?? Boolean(process.stdin.isTTY), env: process.env });
  }
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    io.stdout(`hvcc ${hvccVersion()}\n`);
    return EXIT.ok;
  }
  let exit: number = EXIT.ok;
  const state: RunState = { entered };
  /** Wraps a handler: it sees argv through `recording`, and its reads are reported when it is done. */
  const handler =
    <A extends object>(command: string, body: (argv: A) => void | Promise<void>) =>
    async (argv: A) => {
      const read = new Set<string>();
      try {
        await body(recording(argv, read));
      } finally {
        options.onOptionsRead?.(command, [...read].sort());
      }
    };
  const parser = yargs(args)
    .scriptName('hvcc')
    // Before the -V/--version option: yargs' own would print with console.log, past `io`.
    .version(false)
    .parserConfiguration({ 'populate--': true })
    .usage('$0 <command> [options]\n\nhvcc compiles a device-tree description of a board and its guests into a bootable type-1 hypervisor image.')
    .option('V', { alias: 'version', type: 'boolean', global: false, describe: "Print hvcc's version" })
    .command(
      'build <file>',
      'Compile a system description into hypervisor.elf/.bin, config.ll, a link map and manifest.json',
      (y) =>
        descriptionOptions(y)
          .positional('file', { type: 'string', demandOption: true, describe: 'System description (.dts)' })
          .option('O', { type: 'string', requiresArg: true, describe: 'Output folder (default: build/<system name>/)' })
          .option('verbose', { alias: 'v', type: 'boolean', describe: 'Print each toolchain command' }),
      handler('build', async (argv) => {
        const result = await runBuild(io, state, argv as never);
        if (result.ok) io.stderr(`hvcc: wrote ${result.outDir}\n`);
        exit = result.ok ? EXIT.ok : EXIT.errors;
      }),
    )
    .command(
      'run <file>',
      'Build if needed, then boot the image in QEMU with this terminal as its console: the output streamed, the keys typed (or piped in) sent to the focused guest (arguments after -- go to QEMU; see docs/console.md)',
      (y) =>
        descriptionOptions(y)
          .usage('$0 run <file> [options] [-- QEMU ARGS...]')
          .positional('file', { type: 'string', demandOption: true, describe: 'System description (.dts)' })
          .option('O', { type: 'string', requiresArg: true, describe: 'Output folder (default: build/<system name>/)' })
          .option('timeout', {
            type: 'string',
            requiresArg: true,
            describe: 'Seconds before QEMU is stopped (exit status 3); 0: no limit. Default: 60, or no limit when standard input is a terminal',
          })
          .option('escape', { type: 'string', requiresArg: true, describe: `The console escape key, overriding the description's escape-key: ${ESCAPE_KEY_FORMS.replace(/`/g, '')} (default ctrl-a)` })
          .option('accept-faults', { type: 'boolean', describe: 'Exit 0 even when a guest was stopped by a fault (otherwise exit status 5)' })
          .option('verbose', { alias: 'v', type: 'boolean', describe: 'Print each toolchain command and the QEMU command line' }),
      handler('run', async (argv: Record<string, unknown>) => {
        let escapeKey: number | undefined;
        if (argv.escape !== undefined) {
          escapeKey = parseEscapeKey(String(argv.escape));
          if (escapeKey === undefined) throw new UsageError(`--escape: '${String(argv.escape)}' is not a key the console can use; write ${ESCAPE_KEY_FORMS.replace(/`/g, '')}`);
        }
        const timeoutText = argv.timeout === undefined ? undefined : String(argv.timeout).trim();
        if (timeoutText !== undefined && !/^(\d+(\.\d*)?|\.\d+)$/.test(timeoutText)) throw new UsageError(`--timeout takes a number of seconds (0: no limit), not '${timeoutText}'`);
        const timeout = timeoutText !== undefined ? Number(timeoutText) : process.stdin.isTTY ? 0 : 60;
        const verbose = Boolean(argv.verbose);
        const acceptFaults = Boolean(argv.acceptFaults);
        const qemuArgs = ((argv['--'] as unknown[] | undefined) ?? []).map(String);
        const { readRunStamp, writeRunStamp } = await import('../driver/run-stamp.js');
        const common = await commonOptions(argv, state);
        const cacheDir = defaultCacheDir();
        const key = { file: String(argv.file), outDir: argv.O as string | undefined, configFile: common.configFile, includeDirs: common.includeDirs, componentPath: common.componentPath, disabled: [...common.disabled], werror: common.werror, escapeKey };
        // Nothing changed since the last clean build of this command line: boot it without reading anything.
        const stamp = common.problems.length ? undefined : state.timings ? state.timings.measure('up-to-date check (run stamp)', () => readRunStamp(cacheDir, key)) : readRunStamp(cacheDir, key);
        let command: { program: string; args: string[] } | { error: string };
        let consoleEscape: number;
        const { qemuCommand, runQemu } = await import('../run/qemu.js');
        if (stamp) {
          if (verbose) io.stderr(`hvcc: ${stamp.outDir} is up to date (no file it was built from changed)\n`);
          command = { program: stamp.program, args: [...stamp.args, ...qemuArgs] };
          consoleEscape = stamp.escapeKey;
        } else {
          const started = Date.now();
          const result = await runBuild(io, state, argv as never, true, escapeKey);
          if (!result.ok || !result.system || !result.files) {
            exit = EXIT.errors;
            return;
          }
          const base = qemuCommand(result.system.board, result.arch!, result.files.elf);
          if (!('error' in base) && result.diagnostics.length === 0 && result.dependencies && result.outDir) {
            writeRunStamp(cacheDir, key, { outDir: result.outDir, elf: result.files.elf, program: base.program, args: base.args, escapeKey: result.system.hypervisor.escapeKey }, result.dependencies, started);
          }
          command = qemuCommand(result.system.board, result.arch!, result.files.elf, qemuArgs);
          consoleEscape = result.system.hypervisor.escapeKey;
        }
        if ('error' in command) {
          io.stderr(`hvcc: ${command.error}\n`);
          exit = EXIT.usage;
          return;
        }
        if (verbose) io.stderr(`  ${command.program} ${command.args.join(' ')}\n`);
        const { attachConsole, ConsoleWatcher } = await import('../run/interactive.js');
        let attachment: Attachment | undefined;
        // The console's lines: the hypervisor's start releases the held input; its fault reports set the exit status.
        const watcher = new ConsoleWatcher(() => attachment?.release());
        const started = performance.now();
        let first: number | undefined;
        const boot = () =>
          runQemu(command, {
            timeoutSeconds: timeout,
            onOutput: (chunk) => {
              first ??= performance.now();
              watcher.feed(chunk);
              io.stdout(chunk);
            },
            attachInput: (stdin, kill) => {
              attachment = attachConsole({ sink: stdin, kill, escapeKey: consoleEscape });
              return attachment.detach;
            },
          });
        const outcome = state.timings ? await state.timings.measureAsync(`${command.program} (boot to the end)`, boot) : await boot();
        if (state.timings) state.timings.record('spawned, counted from the process start', started, 1);
        if (state.timings && first !== undefined) state.timings.record('to its first console output', first - started, 1);
        switch (outcome.kind) {
          case 'powered-off':
            exit = EXIT.ok;
            if (watcher.faults.length > 0 && !acceptFaults) {
              io.stderr(`hvcc: ${watcher.faults.length === 1 ? 'a guest was' : `${watcher.faults.length} guests were`} stopped by a fault (--accept-faults accepts that): ${watcher.faults[0]!.replace(/^\[hv\] /, '')}\n`);
              exit = EXIT.fault;
            }
            break;
          case 'timeout':
            io.stderr(`hvcc: no power-off after ${timeout} s; QEMU stopped\n`);
            exit = EXIT.timeout;
            break;
          case 'panic':
            io.stderr(`hvcc: the hypervisor panicked: ${outcome.line}\n`);
            exit = EXIT.panic;
            break;
          case 'exited':
            io.stderr(`hvcc: QEMU ended with ${outcome.signal ?? `exit status ${outcome.code}`}\n`);
            exit = EXIT.errors;
            break;
        }
      }),
    )
    .command(
      'validate <files..>',
      'Check descriptions without building (every pass but the toolchain); exit 1 on errors, or warnings with --werror',
      (y) =>
        descriptionOptions(y)
          .positional('files', { type: 'string', array: true, demandOption: true, describe: 'System descriptions (.dts)' })
          .option('format', { choices: ['human', 'json', 'sarif'] as const, default: 'human' as const, requiresArg: true, describe: 'Output format (json and sarif go to stdout)' })
          .option('quiet', { alias: 'q', type: 'boolean', describe: 'No summary line (human format): only the problems, nothing when there are none' }),
      handler('validate', async (argv: Record<string, unknown>) => {
        const files = list(argv.files);
        const format = argv.format as 'human' | 'json' | 'sarif';
        const quiet = Boolean(argv.quiet);
        const common = await commonOptions(argv, state);
        const all: Diagnostic[] = [...common.problems];
        if (format === 'human') printDiagnostics(io, common.problems, new Map(), false);
        let guests: number | undefined = 0;
        const { analyze } = await import('../driver/analyze.js');
        // A --config that cannot be read is one problem, not one per file.
        for (const file of common.problems.length ? [] : files) {
          const missing = descriptionProblem(file);
          const result = missing
            ? { diagnostics: [missing], sources: new Map<string, string>(), system: undefined }
            : analyze({ file, configFile: common.configFile, includeDirs: common.includeDirs, componentPath: common.componentPath, catalogueCache: common.catalogueCache, werror: common.werror, disabled: common.disabled, timings: common.timings });
          if (format === 'human') printDiagnostics(io, result.diagnostics, result.sources, false);
          append(all, result.diagnostics);
          guests = result.system && guests !== undefined ? guests + result.system.guests.length : undefined;
        }
        if (common.problems.length) guests = undefined;
        if (format === 'human' && !quiet) io.stderr(validateSummary(files.length, guests, all, io.color) + '\n');
        if (format === 'json') io.stdout(JSON.stringify(validateJson(all), null, 2) + '\n');
        if (format === 'sarif') io.stdout(JSON.stringify((await import('./sarif.js')).toSarif(all, { root: io.cwd, version: hvccVersion() }), null, 2) + '\n');
        exit = hasErrors(all) ? EXIT.errors : EXIT.ok;
      }),
    )
    .command(
      'map <file>',
      'Show who owns every RAM range, device window, interrupt and CPU: as text, JSON, or a picture (html, svg) with -o',
      (y) =>
        descriptionOptions(y)
          .positional('file', { type: 'string', demandOption: true, describe: 'System description (.dts)' })
          .option('format', { choices: MAP_FORMATS, default: 'text' as const, requiresArg: true, describe: 'text, json, html (a self-contained page) or svg' })
          .option('output', { alias: 'o', type: 'string', requiresArg: true, describe: 'Write to this file instead of stdout' }),
      handler('map', async (argv: Record<string, unknown>) => {
        const file = String(argv.file);
        const common = await commonOptions(argv, state);
        const missing = descriptionProblem(file);
        if (missing || common.problems.length) {
          printDiagnostics(io, [...(missing ? [missing] : []), ...common.problems], new Map());
          exit = EXIT.errors;
          return;
        }
        const { runMap } = await import('./map-command.js');
        exit = runMap(io, {
          file,
          format: argv.format as (typeof MAP_FORMATS)[number],
          output: argv.output as string | undefined,
          configFile: common.configFile,
          includeDirs: common.includeDirs,
          componentPath: common.componentPath,
          catalogueCache: common.catalogueCache,
          werror: common.werror,
          disabled: common.disabled,
          timings: common.timings,
        });
      }),
    )
    .command(
      'diff <old> <new>',
      'What changed in the system between two descriptions (guests, memory, CPUs, devices, interrupts, options); exit 0 same, 1 changed, 2 trouble',
      (y) =>
        descriptionOptions(y)
          .positional('old', { type: 'string', demandOption: true, describe: 'The description before' })
          .positional('new', { type: 'string', demandOption: true, describe: 'The description after' })
          .option('format', { choices: DIFF_FORMATS, default: 'text' as const, requiresArg: true, describe: 'text, json or markdown (for a pull-request comment)' })
          .option('old-config', { type: 'string', requiresArg: true, describe: 'Kconfig .config for OLD (default: found as for build)' })
          .option('new-config', { type: 'string', requiresArg: true, describe: 'Kconfig .config for NEW (default: found as for build)' })
          .option('old-label', { type: 'string', requiresArg: true, describe: 'Call OLD this in the output (default: its path)' })
          .option('new-label', { type: 'string', requiresArg: true, describe: 'Call NEW this in the output (default: its path)' }),
      handler('diff', async (argv: Record<string, unknown>) => {
        const common = await commonOptions(argv, state);
        const { runDiff } = await import('./diff-command.js');
        exit = runDiff(io, {
          old: String(argv.old),
          new: String(argv.new),
          format: argv.format as (typeof DIFF_FORMATS)[number],
          oldConfig: argv.oldConfig as string | undefined,
          newConfig: argv.newConfig as string | undefined,
          oldLabel: argv.oldLabel as string | undefined,
          newLabel: argv.newLabel as string | undefined,
          includeDirs: common.includeDirs,
          componentPath: common.componentPath,
          catalogueCache: common.catalogueCache,
          werror: common.werror,
          disabled: common.disabled,
          timings: common.timings,
        });
      }),
    )
    .command(
      'explain <code>',
      'Print the long explanation of a diagnostic code (e.g. HV3004) or check name',
      (y) => y.positional('code', { type: 'string', demandOption: true, describe: 'A code (HV3004) or a name (cpu-shared)' }),
      handler('explain', async (argv: Record<string, unknown>) => {
        const code = String(argv.code);
        const text = (await import('../explain/explain.js')).explain(code);
        if (text === undefined) {
          io.stderr(`hvcc: no diagnostic '${code}' (see docs/diagnostics.md)\n`);
          exit = EXIT.usage;
          return;
        }
        io.stdout(text);
      }),
    )
    .command('conf [options..]', "Linux's scripts/kconfig/conf on any Kconfig tree (--defconfig=FILE, --olddefconfig, ...): `hvcc conf --help`", () => {}, () => {})
    .command('fdtoverlay [options..]', 'Apply overlays to a base blob as fdtoverlay does: hvcc fdtoverlay -i BASE.dtb -o OUT.dtb OVERLAY.dtbo...', () => {}, () => {})
    .command('dtc [options..]', "Device-tree compiler with dtc's options (-I/-O dts|dtb, -o, -i, -@, -W/-E, ...): `hvcc dtc --help`", () => {}, () => {});
  // yargs renders a command's whole --help text after its handler ran, in case the handler calls showHelp()
  // (none does: a usage error prints hvcc's own message): tens of milliseconds per command, for nothing.
  const usage = (parser as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
  kconfigCommands(parser, io, (code) => {
    exit = code;
  }, handler);
  parser
    .demandCommand(1, 'name a command')
    .strictCommands()
    .strictOptions()
    .help()
    .exitProcess(false)
    .fail((message, error) => {
      // Thrown, not just recorded: yargs would otherwise still run the command's handler.
      throw error ?? new UsageError(message);
    });
  try {
    let help = '';
    await parser.parseAsync(args, {}, (_error, _argv, output) => {
      help = output;
    });
    // --help: yargs hands its text to the callback instead of printing it.
    if (help) io.stdout(help.endsWith('\n') ? help : help + '\n');
    if (state.timings) io.stderr(state.timings.render());
  } catch (e) {
    if (e instanceof UsageError) {
      const known = ['build', 'run', 'validate', 'map', 'explain', 'config', 'oldconfig', 'olddefconfig', 'defconfig', 'savedefconfig', 'menuconfig'];
      const command = known.includes(args[0] ?? '') ? ` ${args[0]}` : '';
      printDiagnostics(io, [diagnostic(buildMessages.usage, e.message, undefined, { help: `'hvcc${command} --help' lists the options` })], new Map(), false);
      return EXIT.usage;
    }
    if (isFileSystemError(e)) {
      // A file the compiler read or wrote without saying which of the description's files it was for.
      printDiagnostics(io, [fileSystemDiagnostic(e)], new Map());
      return EXIT.errors;
    }
    // A bug in hvcc, not in the description: the stack is for the bug report, on request.
    const error = e as Error;
    const bug = diagnostic(buildMessages.internalError, `internal error: ${error.message ?? String(e)}`, undefined, {
      notes: [process.env.HVCC_DEBUG ? (error.stack ?? String(e)) : 'set HVCC_DEBUG=1 for the stack'],
      help: 'this is a bug in hvcc, not in the description: please report it, with the command line and the files',
    });
    printDiagnostics(io, [bug], new Map(), false);
    return EXIT.usage;
  }
  return exit;
}
