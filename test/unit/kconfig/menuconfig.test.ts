import { describe, expect, test } from '@jest/globals';
import { loadKconfig, resolve, symbolValue } from '../../../compiler/kconfig/index.js';
import { MenuconfigUI, parseKeys } from '../../../compiler/kconfig/menuconfig.js';

const KCONFIG = `mainmenu "UI test"
config MODULES
	bool "Modules"
	default y
	modules
menu "Drivers"
config UART
	tristate "UART"
	help
	  Serial port driver.
config UART_BAUD
	int "Baud rate"
	depends on UART
	range 300 115200
	default 115200
endmenu
choice
	prompt "Scheduler"
	default SCHED_RR
config SCHED_FIFO
	bool "FIFO"
config SCHED_RR
	bool "Round robin"
endchoice
config DEBUG
	bool "Debug"
	select UART
`;

function ui() {
  const { tree } = loadKconfig('Kconfig', { cwd: '/u', env: {}, readFile: (p) => (p === '/u/Kconfig' ? KCONFIG : undefined) });
  return new MenuconfigUI(resolve(tree), 60, 16);
}
const keys = (u: MenuconfigUI, ks: string[]): void => ks.forEach((k) => u.key(k));
const body = (u: MenuconfigUI): string[] => u.render().map((l) => l.trimEnd()).filter((l) => l !== '');

describe('menuconfig UI core', () => {
  test('top menu, submenu, toggles and value entry', () => {
    const u = ui();
    expect(body(u).slice(0, 7)).toEqual([
      '.config - UI test',
      'UI test',
      '─'.repeat(60),
      '> [*] Modules (NEW)',
      '      Drivers  --->',
      '      Scheduler (Round robin)  --->',
      '  [ ] Debug (NEW)',
    ]);
    keys(u, ['down', 'enter']);
    expect(body(u)[1]).toBe('UI test → Drivers');
    expect(body(u)[3]).toBe('> < > UART (NEW)');
    keys(u, [' ']);
    expect(body(u)[3]).toBe('> <M> UART');
    keys(u, ['y', 'down', 'enter', 'backspace', 'backspace', 'backspace', 'backspace', 'backspace', 'backspace', '9', '6', '0', '0', 'enter']);
    expect(body(u)[4]).toBe('>   (9600) Baud rate');
    keys(u, ['enter', 'backspace', 'backspace', 'backspace', 'backspace', '1', 'enter']);
    expect(body(u).at(-1)).toBe('invalid value for UART_BAUD (int, range 300..115200)');
    keys(u, ['esc', 'esc']);
    expect(body(u)[1]).toBe('UI test');
    expect(symbolValue(u.state, 'UART')).toBe('y');
    expect(symbolValue(u.state, 'UART_BAUD')).toBe('9600');
  });

  test('choice submenu, selected symbols, help, search and jump', () => {
    const u = ui();
    keys(u, ['down', 'down', 'enter']);
    expect(body(u).slice(3, 5)).toEqual(['> ( ) FIFO (NEW)', '  (X) Round robin (NEW)']);
    keys(u, ['enter', 'left', 'down', 'y']);
    expect(symbolValue(u.state, 'SCHED_FIFO')).toBe('y');
    expect(body(u)[5]).toBe('      Scheduler (FIFO)  --->');
    // DEBUG selects UART: UART can no longer be n.
    keys(u, ['up', 'up', 'enter', 'n']);
    expect(body(u)[3]).toBe('> -*- UART');
    expect(body(u).at(-1)).toBe('UART cannot be set to n');
    keys(u, ['?']);
    const help = body(u);
    keys(u, ['pgdn']);
    help.push(...body(u));
    expect(help[1]).toBe('Help: UART');
    expect(help).toContain('CONFIG_UART:');
    expect(help).toContain('Serial port driver.');
    // Linux 6.1's layout: who selects it, grouped by their value.
    expect(help.some((l: string) => /^Selected by \[[ymn]\]:$/.test(l))).toBe(true);
    keys(u, ['esc', 'esc', '/', 'b', 'a', 'u', 'd', 'enter']);
    expect(body(u)[1]).toBe('Search results for "baud" (1)');
    keys(u, ['enter']);
    expect(body(u)[1]).toBe('UI test → Drivers');
    expect(body(u)[4]).toBe('>   (115200) Baud rate (NEW)');
    keys(u, ['esc', 'q']);
    expect(u.done).toBeNull();
    expect(body(u).at(-1)).toBe('Save the configuration? (y)es / (n)o / Esc: continue');
    keys(u, ['y']);
    expect(u.done).toBe('save');
  });

  test('terminal key parsing', () => {
    expect(parseKeys('\x1b[A\x1b[B\r \x7f\x1b\x1b[6~q\x1b[1;5C/')).toEqual(['up', 'down', 'enter', ' ', 'backspace', 'esc', 'pgdn', 'q', '/']);
  });
});
