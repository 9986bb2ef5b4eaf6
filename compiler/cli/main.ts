import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { runDtc } from '../dts/dtc-cli.js';
import { runFdtoverlay } from './fdtoverlay.js';
import { runConf } from '../kconfig/conf-cli.js';
import { kconfigCommands } from './kconfig-commands.js';
import { build, type BuildResult } from '../driver/build.js';
import { analyze } from '../driver/analyze.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { explain } from '../explain/explain.js';
import { ledger, ledgerText } from '../map/ledger.js';
import { hvccVersion } from '../paths.js';
import { toSarif } from './sarif.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { qemuCommand, runQemu } from '../run/qemu.js';
import { attachConsole, FaultWatcher } from '../run/interactive.js';
import { ESCAPE_KEY_FORMS, parseEscapeKey } from '../console/escape-key.js';
import { type Io, printDiagnostics, validateJson } from './output.js';

class UsageError extends Error {}

/**
 * Exit statuses: 0 success, 1 errors in the description (or a failed boot), 2 usage or internal failure;
 * `run`: 3 timed out, 4 the hypervisor panicked, 5 a guest was stopped by a fault.
 */
export const EXIT = { ok: 0, errors: 1, usage: 2, timeout: 3, panic: 4, fault: 5 } as const;

function defaultIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR,
    cwd: process.cwd(),
  };
}

function warningSwitches(w: unknown): { disabled: Set<string> } {
  const list = (Array.isArray(w) ? w : w === undefined ? [] : [w]).map(String);
  return { disabled: new Set(list.filter((x) => x.startsWith('no-')).map((x) => x.slice(3))) };
}

function runBuild(io: Io, argv: { file: string; O?: string; verbose?: boolean; config?: string; include?: string[]; components?: string[]; W?: unknown; werror?: boolean }, reuse = false, escapeKey?: number): BuildResult {
  const result = build({
    ...(escapeKey !== undefined ? { escapeKey } : {}),
    reuse,
    file: argv.file,
    componentPath: argv.components ?? [],
    outDir: argv.O,
    configFile: argv.config,
    includeDirs: argv.include ?? [],
    verbose: Boolean(argv.verbose),
    log: (line) => io.stderr(line + '\n'),
    werror: Boolean(argv.werror),
    ...warningSwitches(argv.W),
  });
  printDiagnostics(io, result.diagnostics, result.sources);
  return result;
}

export async function main(args: string[], io: Io = defaultIo()): Promise<number> {
  // `hvcc dtc` stands in for dtc in existing scripts: its options are dtc's, so it bypasses hvcc's parser.
  if (args[0] === 'dtc') return runDtc(args.slice(1), { stdout: io.stdout, stderr: io.stderr, stdin: () => readFileSync(0) });
  if (args[0] === 'fdtoverlay') return runFdtoverlay(args.slice(1), io);
  // `hvcc conf` is Linux's scripts/kconfig/conf, options and all, for existing Kconfig trees.
  if (args[0] === 'conf') {
    return runConf(args.slice(1), { stdout: { write: (s: string) => io.stdout(s) }, stderr: { write: (s: string) => io.stderr(s) }, stdin: process.stdin, stdinIsTTY: Boolean(process.stdin.isTTY), env: process.env });
  }
  let exit: number = EXIT.ok;
  const parser = yargs(args)
    .scriptName('hvcc')
    .parserConfiguration({ 'populate--': true })
    .usage('$0 <command> [options]\n\nhvcc compiles a device-tree description of a board and its guests into a bootable type-1 hypervisor image.')
    .option('include', { alias: 'i', type: 'array', string: true, describe: 'Add a folder to the /include/ search path' })
    .option('components', { type: 'array', string: true, describe: 'Add a folder of runtime components, searched after runtime/ (also: $HVCC_COMPONENT_PATH, ":"-separated)' })
    .option('W', { type: 'array', string: true, describe: 'no-<check> switches a check off (see docs/checks.md)' })
    .option('werror', { type: 'boolean', describe: 'Treat warnings as errors' })
    .command(
      'build <file>',
      'Compile a system description into hypervisor.elf/.bin, config.ll, a link map and manifest.json',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'System description (.dts)' })
          .option('O', { type: 'string', describe: 'Output folder (default: build/<system name>/)' })
          .option('config', { type: 'string', describe: 'Kconfig .config to use (default: see docs/cli.md)' })
          .option('verbose', { alias: 'v', type: 'boolean', describe: 'Print each toolchain command' }),
      (argv) => {
        const result = runBuild(io, argv as never);
        if (result.ok) io.stderr(`hvcc: wrote ${result.outDir}\n`);
        exit = result.ok ? EXIT.ok : EXIT.errors;
      },
    )
    .command(
      'run <file>',
      'Build if needed, then boot the image in QEMU with this terminal as its console: the output streamed, the keys typed (or piped in) sent to the focused guest (arguments after -- go to QEMU; see docs/console.md)',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'System description (.dts)' })
          .option('O', { type: 'string', describe: 'Output folder (default: build/<system name>/)' })
          .option('config', { type: 'string', describe: 'Kconfig .config to use (default: see docs/cli.md)' })
          .option('timeout', {
            type: 'string',
            describe: 'Seconds before QEMU is stopped (exit status 3); 0: no limit. Default: 60, or no limit when standard input is a terminal',
          })
          .option('escape', { type: 'string', describe: `The console escape key, overriding the description's escape-key: ${ESCAPE_KEY_FORMS.replace(/`/g, '')} (default ctrl-a)` })
          .option('accept-faults', { type: 'boolean', describe: 'Exit 0 even when a guest was stopped by a fault (otherwise exit status 5)' })
          .option('verbose', { alias: 'v', type: 'boolean', describe: 'Print each toolchain command and the QEMU command line' }),
      async (argv) => {
        let escapeKey: number | undefined;
        if (argv.escape !== undefined) {
          escapeKey = parseEscapeKey(argv.escape);
          if (escapeKey === undefined) throw new UsageError(`--escape: '${argv.escape}' is not a key the console can use; write ${ESCAPE_KEY_FORMS.replace(/`/g, '')}`);
        }
        const timeoutText = argv.timeout === undefined ? undefined : String(argv.timeout).trim();
        if (timeoutText !== undefined && !/^(\d+(\.\d*)?|\.\d+)$/.test(timeoutText)) throw new UsageError(`--timeout takes a number of seconds (0: no limit), not '${timeoutText}'`);
        const timeout = timeoutText !== undefined ? Number(timeoutText) : process.stdin.isTTY ? 0 : 60;
        const result = runBuild(io, argv as never, true, escapeKey);
        if (!result.ok || !result.system || !result.files) {
          exit = EXIT.errors;
          return;
        }
        const command = qemuCommand(result.system.board, result.arch!, result.files.elf, ((argv['--'] as unknown[] | undefined) ?? []).map(String));
        if ('error' in command) {
          io.stderr(`hvcc: ${command.error}\n`);
          exit = EXIT.usage;
          return;
        }
        if (argv.verbose) io.stderr(`  ${command.program} ${command.args.join(' ')}\n`);
        const faults = new FaultWatcher();
        const system = result.system;
        const outcome = await runQemu(command, {
          timeoutSeconds: timeout,
          onOutput: (chunk) => {
            faults.feed(chunk);
            io.stdout(chunk);
          },
          attachInput: (stdin, kill) => attachConsole({ sink: stdin, kill, escapeKey: system.hypervisor.escapeKey }).detach,
        });
        switch (outcome.kind) {
          case 'powered-off':
            exit = EXIT.ok;
            if (faults.faults.length > 0 && !argv['accept-faults']) {
              io.stderr(`hvcc: ${faults.faults.length === 1 ? 'a guest was' : `${faults.faults.length} guests were`} stopped by a fault (--accept-faults accepts that): ${faults.faults[0]!.replace(/^\[hv\] /, '')}\n`);
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
      },
    )
    .command(
      'validate <files..>',
      'Check descriptions without building (every pass but the toolchain); exit 1 on errors, or warnings with --werror',
      (y) =>
        y
          .positional('files', { type: 'string', array: true, demandOption: true })
          .option('format', { choices: ['human', 'json', 'sarif'] as const, default: 'human' as const, describe: 'Output format (json and sarif go to stdout)' })
          .option('config', { type: 'string', describe: 'Kconfig .config to check against' }),
      (argv) => {
        const all: Diagnostic[] = [];
        for (const file of argv.files as string[]) {
          const result = analyze({ file, configFile: argv.config, includeDirs: (argv.include as string[] | undefined) ?? [], componentPath: (argv.components as string[] | undefined) ?? [], werror: Boolean(argv.werror), ...warningSwitches(argv.W) });
          if (argv.format === 'human') printDiagnostics(io, result.diagnostics, result.sources);
          all.push(...result.diagnostics);
        }
        if (argv.format === 'json') io.stdout(JSON.stringify(validateJson(all), null, 2) + '\n');
        if (argv.format === 'sarif') io.stdout(JSON.stringify(toSarif(all, { root: io.cwd, version: hvccVersion() }), null, 2) + '\n');
        exit = hasErrors(all) ? EXIT.errors : EXIT.ok;
      },
    )
    .command(
      'map <file>',
      'Print the ledger of the system: the owner of every RAM range, device window, interrupt and CPU, and what is free',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true })
          .option('format', { choices: ['text', 'json'] as const, default: 'text' as const })
          .option('config', { type: 'string' }),
      (argv) => {
        const result = analyze({ file: argv.file, configFile: argv.config, includeDirs: (argv.include as string[] | undefined) ?? [], componentPath: (argv.components as string[] | undefined) ?? [], ...warningSwitches(argv.W) });
        printDiagnostics(io, result.diagnostics, result.sources);
        if (!result.system || !result.layout) {
          exit = EXIT.errors;
          return;
        }
        const entries = ledger(result.system, result.layout);
        io.stdout(argv.format === 'json' ? JSON.stringify({ version: 1, system: result.system.name, entries }, null, 2) + '\n' : ledgerText(entries));
      },
    )
    .command(
      'explain <code>',
      'Print the long explanation of a diagnostic code (e.g. HV3004) or check name',
      (y) => y.positional('code', { type: 'string', demandOption: true }),
      (argv) => {
        const text = explain(argv.code);
        if (text === undefined) {
          io.stderr(`hvcc: no diagnostic '${argv.code}' (see docs/diagnostics.md)\n`);
          exit = EXIT.usage;
          return;
        }
        io.stdout(text);
      },
    )
    .command('conf [options..]', "Linux's scripts/kconfig/conf on any Kconfig tree (--defconfig=FILE, --olddefconfig, ...): `hvcc conf --help`", () => {}, () => {})
    .command('fdtoverlay [options..]', 'Apply overlays to a base blob as fdtoverlay does: hvcc fdtoverlay -i BASE.dtb -o OUT.dtb OVERLAY.dtbo...', () => {}, () => {})
    .command('dtc [options..]', "Device-tree compiler with dtc's options (-I/-O dts|dtb, -o, -i, -@, -W/-E, ...): `hvcc dtc --help`", () => {}, () => {});
  kconfigCommands(parser, io, (code) => {
    exit = code;
  });
  parser
    .demandCommand(1, 'name a command (see --help)')
    .strictCommands()
    .strictOptions()
    .help()
    .version(false)
    .exitProcess(false)
    .fail((message, error) => {
      // Thrown, not just recorded: yargs would otherwise still run the command's handler.
      throw error ?? new UsageError(message);
    });
  try {
    await parser.parseAsync();
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`hvcc: ${e.message}\nRun 'hvcc --help' for usage.\n`);
      return EXIT.usage;
    }
    // A bug in hvcc, not in the description: the stack is for the bug report, on request.
    const detail = process.env.HVCC_DEBUG ? ((e as Error).stack ?? String(e)) : `${(e as Error).message} (set HVCC_DEBUG=1 for details)`;
    io.stderr(`hvcc: internal error [HV0002]: ${detail}\n`);
    return EXIT.usage;
  }
  return exit;
}
