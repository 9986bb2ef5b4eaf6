import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { ConfIO } from '../kconfig/conf-cli.js';
import { packageRoot, runtimeDir } from '../paths.js';
import type { Io } from './output.js';

const ROOT_KCONFIG = join(runtimeDir, 'Kconfig');

/** The Kconfig commands' code, loaded only when one of them runs (not for every hvcc command). */
const conf = () => import('../kconfig/conf-cli.js');
const BOARDS = join(packageRoot, 'boards');

/** The environment Linux's conf would see for this output folder: KCONFIG_CONFIG there, srctree the runtime. */
function confEnv(outDir: string | undefined): Record<string, string | undefined> {
  return { ...process.env, KCONFIG_CONFIG: join(resolve(outDir ?? '.'), '.config'), srctree: runtimeDir };
}

function confIo(io: Io, outDir: string | undefined): ConfIO {
  return {
    stdout: { write: (s: string) => io.stdout(s) },
    stderr: { write: (s: string) => io.stderr(s) },
    stdin: io.stdin ?? process.stdin,
    stdinIsTTY: io.stdinIsTTY ?? Boolean(process.stdin.isTTY),
    env: confEnv(outDir),
  };
}

/** Wraps a command's handler (main.ts records the options it reads). */
export type HandlerWrapper = <A extends object>(command: string, body: (argv: A) => void | Promise<void>) => (argv: A) => Promise<void>;

/** `hvcc defconfig [BOARD|FILE]`: a file path, a board's name, or (with one board) that board. */
export function defconfigFile(arg: string | undefined): { file?: string; error?: string } {
  if (arg !== undefined && existsSync(arg)) return { file: resolve(arg) };
  const boards = existsSync(BOARDS) ? readdirSync(BOARDS).filter((b) => existsSync(join(BOARDS, b, 'defconfig'))) : [];
  if (arg !== undefined) {
    if (boards.includes(arg)) return { file: join(BOARDS, arg, 'defconfig') };
    return { error: `'${arg}' is neither a file nor a board with a defconfig (boards: ${boards.join(', ') || 'none'})` };
  }
  if (boards.length === 1) return { file: join(BOARDS, boards[0]!, 'defconfig') };
  return { error: `name a board or a defconfig file (boards: ${boards.join(', ') || 'none'})` };
}

/** The Kconfig commands users know from Linux, on the runtime's Kconfig tree, writing `.config` in -O DIR. */
export function kconfigCommands(y: Argv, io: Io, setExit: (code: number) => void, handler: HandlerWrapper): Argv {
  const outDir = (a: Argv) => a.option('O', { type: 'string', requiresArg: true, describe: 'Folder of the .config (default: the current folder)' });
  type A = Record<string, unknown>;
  const dir = (argv: A) => argv.O as string | undefined;
  return y
    .command('config', 'Answer every option, one question at a time (conf --oldaskconfig)', outDir, handler('config', async (argv: A) => {
      setExit(await (await conf()).configCommand({ kconfig: ROOT_KCONFIG, io: confIo(io, dir(argv)) }));
    }))
    .command('oldconfig', 'Update .config, asking only about new options', outDir, handler('oldconfig', async (argv: A) => {
      setExit(await (await conf()).oldconfigCommand({ kconfig: ROOT_KCONFIG, io: confIo(io, dir(argv)) }));
    }))
    .command('olddefconfig', 'Update .config, giving new options their defaults', outDir, handler('olddefconfig', async (argv: A) => {
      setExit(await (await conf()).olddefconfigCommand({ kconfig: ROOT_KCONFIG, io: confIo(io, dir(argv)) }));
    }))
    .command(
      'defconfig [board]',
      "Write .config from a board's defconfig (or a defconfig file)",
      (a) => outDir(a).positional('board', { type: 'string', describe: 'Board name (boards/<name>/defconfig) or a defconfig file' }),
      handler('defconfig', async (argv: A) => {
        const out = dir(argv);
        const { file, error } = defconfigFile(argv.board as string | undefined);
        if (!file) {
          io.stderr(`hvcc defconfig: ${error}\n`);
          setExit(2);
          return;
        }
        setExit(await (await conf()).defconfigCommand({ kconfig: ROOT_KCONFIG, file, io: confIo(io, out) }));
      }),
    )
    .command(
      'savedefconfig [file]',
      'Write the minimal defconfig that reproduces .config (default file: defconfig)',
      (a) => outDir(a).positional('file', { type: 'string', describe: 'Where to write it (default: defconfig)' }),
      handler('savedefconfig', async (argv: A) => {
        const file = argv.file as string | undefined;
        setExit(await (await conf()).savedefconfigCommand({ kconfig: ROOT_KCONFIG, io: confIo(io, dir(argv)), ...(file ? { file } : {}) }));
      }),
    )
    .command('menuconfig', 'Full-screen menus to browse, search and change the options', outDir, handler('menuconfig', async (argv: A) => {
      const env = confEnv(dir(argv));
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        io.stderr('hvcc menuconfig needs a terminal (use hvcc config or hvcc oldconfig otherwise)\n');
        setExit(2);
        return;
      }
      const { runMenuconfig } = await import('../kconfig/menuconfig.js');
      setExit(await runMenuconfig(ROOT_KCONFIG, { input: process.stdin, output: process.stdout, stderr: { write: (s: string) => io.stderr(s) }, env }));
    }));
}
