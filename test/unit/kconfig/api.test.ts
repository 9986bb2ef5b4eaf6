import { describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  loadKconfig,
  readDotConfig,
  resolve,
  symbolEnabled,
  symbolNumber,
  symbolValue,
  symbolValues,
  writeCHeader,
  writeDotConfig,
  writeMinimalDefconfig,
} from '../../../compiler/kconfig/index.js';
import { conf, defconfigCommand, savedefconfigCommand } from '../../../compiler/kconfig/conf-cli.js';

const KCONFIG = `mainmenu "hvcc test"

config MODULES
	bool "Modules"
	default y
	modules

config UART
	tristate "UART driver"
	default m

config GUESTS
	int "Number of guests"
	range 1 8
	default 2

config RAM_BASE
	hex "RAM base"
	default 0x40000000

config NAME
	string "Name"
	default "hv \\"one\\""

config DEBUG
	bool "Debug"
	select UART
`;

function mem(files: Record<string, string>) {
  return loadKconfig('Kconfig', { cwd: '/m', env: {}, readFile: (p) => files[p.replace(/^\/m\//, '')] });
}

describe('kconfig API', () => {
  const { tree, diagnostics } = mem({ Kconfig: KCONFIG });

  test('loads without diagnostics and finds every symbol', () => {
    expect(diagnostics).toEqual([]);
    // Like Linux, words such as 8 or 0x40000000 are (untyped) symbols whose value is their name.
    expect([...tree.byName.values()].filter((s) => s.type !== 'unknown').map((s) => s.name)).toEqual(['MODULES', 'UART', 'GUESTS', 'RAM_BASE', 'NAME', 'DEBUG']);
  });

  test('resolve with defaults; symbolValue and friends', () => {
    const r = resolve(tree);
    expect(symbolValue(r, 'UART')).toBe('m');
    expect(symbolValue(r, 'CONFIG_GUESTS')).toBe('2');
    expect(symbolNumber(r, 'RAM_BASE')).toBe(0x40000000n);
    expect(symbolValue(r, 'NAME')).toBe('hv "one"');
    expect(symbolEnabled(r, 'DEBUG')).toBe(false);
    expect(symbolValue(r, 'NOPE')).toBeUndefined();
    expect([...symbolValues(r).entries()]).toEqual([
      ['MODULES', 'y'],
      ['UART', 'm'],
      ['GUESTS', '2'],
      ['RAM_BASE', '0x40000000'],
      ['NAME', 'hv "one"'],
      ['DEBUG', 'n'],
    ]);
  });

  test('resolve with initial values (record or .config), range clamping and select', () => {
    const r = resolve(tree, { DEBUG: 'y', GUESTS: '99', NAME: 'x\\y', MODULES: 'n' });
    expect(symbolValue(r, 'UART')).toBe('y');
    expect(symbolValue(r, 'GUESTS')).toBe('2'); // out of range: dropped, default used (as conf_read does)
    expect(symbolValue(r, 'NAME')).toBe('x\\y');
    const r2 = resolve(tree, readDotConfig({ text: 'CONFIG_GUESTS=5\n# CONFIG_MODULES is not set\nCONFIG_UART=m\n' }));
    expect(symbolValue(r2, 'GUESTS')).toBe('5');
    expect(symbolValue(r2, 'UART')).toBe('y'); // m without modules is y
  });

  test('.config, minimal defconfig and C header', () => {
    const r = resolve(tree, { DEBUG: 'y', GUESTS: '4' });
    expect(writeDotConfig(r)).toBe(
      '#\n# Automatically generated file; DO NOT EDIT.\n# hvcc test\n#\nCONFIG_MODULES=y\nCONFIG_UART=y\nCONFIG_GUESTS=4\nCONFIG_RAM_BASE=0x40000000\nCONFIG_NAME="hv \\"one\\""\nCONFIG_DEBUG=y\n',
    );
    expect(writeMinimalDefconfig(r)).toBe('CONFIG_GUESTS=4\nCONFIG_DEBUG=y\n');
    expect(writeCHeader(resolve(tree))).toBe(
      '/*\n * Automatically generated file; DO NOT EDIT.\n * hvcc test\n */\n#define CONFIG_MODULES 1\n#define CONFIG_UART_MODULE 1\n#define CONFIG_GUESTS 2\n#define CONFIG_RAM_BASE 0x40000000\n#define CONFIG_NAME "hv \\"one\\""\n',
    );
  });

  test('readDotConfig parses a file path too', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hvcc-kapi-'));
    const f = path.join(dir, 'x.config');
    fs.writeFileSync(f, '# comment\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_S="q"\n');
    expect(readDotConfig(f).entries.map((e) => [e.name, e.raw, e.line])).toEqual([
      ['A', 'y', 2],
      ['B', 'n', 3],
      ['S', '"q"', 4],
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('user commands: defconfig then savedefconfig round-trip, KCONFIG_CONFIG honoured', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hvcc-kcmd-'));
    fs.writeFileSync(path.join(dir, 'Kconfig'), KCONFIG);
    fs.writeFileSync(path.join(dir, 'my_defconfig'), 'CONFIG_DEBUG=y\nCONFIG_GUESTS=3\n');
    let out = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (out += s) }, stdin: '', env: { KCONFIG_CONFIG: 'build/hv.config' }, cwd: dir };
    expect(await defconfigCommand({ kconfig: 'Kconfig', file: 'my_defconfig', io })).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'build/hv.config'), 'utf8')).toContain('CONFIG_GUESTS=3\n');
    expect(await savedefconfigCommand({ kconfig: 'Kconfig', file: 'out_defconfig', io })).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'out_defconfig'), 'utf8')).toBe('CONFIG_GUESTS=3\nCONFIG_DEBUG=y\n');
    expect(out).toContain('configuration written to build/hv.config');
    // Unchanged configuration is not rewritten.
    out = '';
    expect(await conf({ mode: 'olddefconfig', kconfig: 'Kconfig' }, io)).toBe(0);
    // Linux 6.1's words (4.11 said "No change to configuration in '...'").
    expect(out).toContain('No change to build/hv.config');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('syncconfig writes auto.conf and autoconf.h', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hvcc-ksync-'));
    fs.writeFileSync(path.join(dir, 'Kconfig'), KCONFIG);
    const io = { stdout: { write: () => true }, stderr: { write: () => true }, stdin: '', env: {}, cwd: dir };
    expect(await conf({ mode: 'syncconfig', kconfig: 'Kconfig' }, io)).toBe(1); // no .config yet
    expect(await conf({ mode: 'olddefconfig', kconfig: 'Kconfig' }, io)).toBe(0);
    expect(await conf({ mode: 'syncconfig', kconfig: 'Kconfig' }, io)).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'include/generated/autoconf.h'), 'utf8')).toContain('#define CONFIG_UART_MODULE 1\n');
    expect(fs.readFileSync(path.join(dir, 'include/config/auto.conf'), 'utf8')).toContain('CONFIG_UART=m\n');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('interactive oldaskconfig transcript', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hvcc-kask-'));
    fs.writeFileSync(path.join(dir, 'Kconfig'), KCONFIG);
    let out = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true }, stdin: 'n\ny\n12\n5\n\n\ny\n', env: {}, cwd: dir };
    expect(await conf({ mode: 'oldaskconfig', kconfig: 'Kconfig', silent: true }, io)).toBe(0);
    expect(out).toBe(
      [
        '*',
        '* hvcc test',
        '*',
        // The answers come from a pipe: conf echoes each, as Linux 6.1's does (byte for byte the same here).
        'Modules (MODULES) [Y/n/?] (NEW) n',
        'UART driver (UART) [Y/n/?] (NEW) y',
        'Number of guests (GUESTS) [2] (NEW) 12',
        'Number of guests (GUESTS) [2] (NEW) 5',
        'RAM base (RAM_BASE) [0x40000000] (NEW) ',
        'Name (NAME) [hv "one"] (NEW) ',
        'Debug (DEBUG) [N/y/?] (NEW) y',
        '',
      ].join('\n'),
    );
    const written = fs.readFileSync(path.join(dir, '.config'), 'utf8');
    expect(written).toContain('# CONFIG_MODULES is not set\nCONFIG_UART=y\nCONFIG_GUESTS=5\n');
    expect(written).toContain('CONFIG_DEBUG=y\n');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
