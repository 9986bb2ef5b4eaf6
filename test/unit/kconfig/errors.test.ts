import { describe, expect, test } from '@jest/globals';
import type { Diagnostic } from '../../../compiler/diagnostics/diagnostic.js';
import { KconfigMessages as M } from '../../../compiler/kconfig/messages.js';
import { loadKconfig, readDotConfig, resolve, symbolValue } from '../../../compiler/kconfig/index.js';
import { loadUserValues } from '../../../compiler/kconfig/confdata.js';
import { KconfigState } from '../../../compiler/kconfig/symbol.js';
import { runConf } from '../../../compiler/kconfig/conf-cli.js';
import { writeCHeader, writeDotConfig, writeMinimalDefconfig } from '../../../compiler/kconfig/index.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mulberry32 } from './generate.js';
import { fixturesRoot } from './harness.js';

/** Loads an in-memory Kconfig tree: files maps path (relative to /src) to text. */
function load(files: Record<string, string>, opts: { env?: Record<string, string>; shell?: (c: string) => string } = {}) {
  return loadKconfig('Kconfig', {
    cwd: '/src',
    env: opts.env ?? {},
    readFile: (p) => files[p.replace(/^\/src\//, '')],
    listDir: (d) => {
      const rel = d.replace(/^\/src\/?/, '').replace(/^\.$/, '');
      const names = new Set<string>();
      for (const f of Object.keys(files)) {
        if (rel && !f.startsWith(rel + '/')) continue;
        const rest = rel ? f.slice(rel.length + 1) : f;
        names.add(rest.split('/')[0]!);
      }
      return [...names];
    },
    ...(opts.shell ? { shell: opts.shell } : {}),
  });
}

function at(ds: Diagnostic[], code: string): string[] {
  return ds.filter((d) => d.code === code).map((d) => `${d.span?.file}:${d.span?.start.line}`);
}

interface Case {
  def: (typeof M)[keyof typeof M];
  files: Record<string, string>;
  where: string;
  env?: Record<string, string>;
  shell?: (c: string) => string;
}

const cases: Case[] = [
  { def: M.fileNotFound, files: { Kconfig: 'config A\n\tbool "a"\nsource "missing/Kconfig"\n' }, where: 'Kconfig:3' },
  { def: M.syntax, files: { Kconfig: 'config A\n\tbool "a"\nconfig\n' }, where: 'Kconfig:3' },
  { def: M.syntax, files: { Kconfig: 'config A\n\tbool "a"\n\tdepends on (B\n' }, where: 'Kconfig:3' },
  { def: M.unknownStatement, files: { Kconfig: '\nfrobnicate A\n' }, where: 'Kconfig:2' },
  { def: M.unterminatedBlock, files: { Kconfig: 'config A\n\tbool "a"\nmenu "M"\nconfig B\n\tbool "b"\n' }, where: 'Kconfig:3' },
  { def: M.unterminatedBlock, files: { Kconfig: 'source "sub"\nendif\n', sub: '\nif A\n' }, where: 'sub:2' },
  { def: M.unexpectedEnd, files: { Kconfig: 'config A\n\tbool "a"\n\nendmenu\n' }, where: 'Kconfig:4' },
  { def: M.unexpectedEnd, files: { Kconfig: 'menu "x"\nendchoice\nendmenu\n' }, where: 'Kconfig:2' },
  { def: M.recursiveSource, files: { Kconfig: 'source "a"\n', a: 'config A\n\tbool "a"\nsource "Kconfig"\n' }, where: 'a:3' },
  { def: M.dependencyCycle, files: { Kconfig: 'config A\n\tbool "a"\n\tdepends on B\n\nconfig B\n\tbool "b"\n\tdepends on A\n' }, where: 'Kconfig:1' },
  { def: M.macroSyntax, files: { Kconfig: 'config A\n\tbool "a $(info,oops"\n' }, where: 'Kconfig:2' },
  { def: M.errorIf, files: { Kconfig: 'X := y\n$(error-if,$(X),stop here)\n' }, where: 'Kconfig:2' },
  { def: M.macroArgs, files: { Kconfig: '\n\n$(info)\n' }, where: 'Kconfig:3' },
  { def: M.macroArgs, files: { Kconfig: '$(warning-if,y,a,b)\n' }, where: 'Kconfig:1' },
  { def: M.recursiveVariable, files: { Kconfig: 'X = a $(X)\nconfig $(X)\n\tbool\n' }, where: 'Kconfig:2' },
  { def: M.optionOutsideEntry, files: { Kconfig: 'menu "m"\n\tdefault y\nendmenu\n' }, where: 'Kconfig:2' },
  { def: M.optionOutsideEntry, files: { Kconfig: '\tdepends on A\n' }, where: 'Kconfig:1' },
  { def: M.modulesRedefined, files: { Kconfig: 'config A\n\tbool "a"\n\tmodules\nconfig B\n\tbool "b"\n\toption modules\n' }, where: 'Kconfig:6' },
  { def: M.mainmenuPosition, files: { Kconfig: 'config A\n\tbool "a"\nmainmenu "late"\n' }, where: 'Kconfig:3' },
  { def: M.sourceGlobEmpty, files: { Kconfig: 'config A\n\tbool "a"\nsource "drivers/*/Kconfig"\n' }, where: 'Kconfig:3' },
  {
    def: M.shellFailed,
    files: { Kconfig: 'config A\n\tstring "a"\n\tdefault "$(shell,false)"\n' },
    where: 'Kconfig:3',
    shell: () => {
      throw new Error('cannot run');
    },
  },
  { def: M.warningIf, files: { Kconfig: 'config A\n\tbool "a"\n$(warning-if,y,careful)\n' }, where: 'Kconfig:3' },
  { def: M.info, files: { Kconfig: '$(info,hello)\n' }, where: 'Kconfig:1' },
  { def: M.typeRedefined, files: { Kconfig: 'config A\n\tbool "a"\n\tint\n' }, where: 'Kconfig:3' },
  { def: M.noType, files: { Kconfig: 'config A\n\tdefault y\n' }, where: 'Kconfig:1' },
  { def: M.choiceValueNoPrompt, files: { Kconfig: 'choice\n\tprompt "c"\nconfig A\n\tbool\nendchoice\n' }, where: 'Kconfig:3' },
  { def: M.choiceValueDefault, files: { Kconfig: 'choice\n\tprompt "c"\nconfig A\n\tbool "a"\n\tdefault y\nendchoice\n' }, where: 'Kconfig:5' },
  { def: M.choiceNoPrompt, files: { Kconfig: '\nchoice\n\tbool\nconfig A\n\tbool "a"\nendchoice\n' }, where: 'Kconfig:2' },
  { def: M.selectType, files: { Kconfig: 'config A\n\tint "a"\n\tselect B\nconfig B\n\tbool\n' }, where: 'Kconfig:3' },
  { def: M.rangeInvalid, files: { Kconfig: 'config A\n\tbool "a"\n\trange 1 2\n' }, where: 'Kconfig:3' },
  { def: M.defaultInvalid, files: { Kconfig: 'config A\n\tint "a"\n\tdefault 12abc\n' }, where: 'Kconfig:3' },
  { def: M.promptRedefined, files: { Kconfig: 'config A\n\tbool "a"\n\tprompt "again"\n' }, where: 'Kconfig:3' },
  { def: M.helpRedefined, files: { Kconfig: 'config A\n\tbool "a"\n\thelp\n\t  one\n\thelp\n\t  two\n' }, where: 'Kconfig:5' },
  { def: M.ignoredCharacter, files: { Kconfig: 'config A\n\tbool "a"\n\tdepends on B | C\n' }, where: 'Kconfig:3' },
  { def: M.multilineString, files: { Kconfig: 'config A\n\tbool "unterminated\n' }, where: 'Kconfig:2' },
  { def: M.noNewlineAtEof, files: { Kconfig: 'config A\n\tbool "a"' }, where: 'Kconfig:2' },
  { def: M.envUndefined, files: { Kconfig: 'config A\n\tstring\n\toption env="HVCC_SURELY_UNSET"\n' }, where: 'Kconfig:3' },
  { def: M.leadingWhitespace, files: { Kconfig: 'config A\n\tbool "  spaced"\n' }, where: 'Kconfig:2' },
  { def: M.unknownOption, files: { Kconfig: 'config A\n\tbool "a"\n\toption frobnicate\n' }, where: 'Kconfig:3' },
  { def: M.tooDeep, files: { Kconfig: 'config A\n\tbool "a"\n\tdepends on ' + '('.repeat(2000) + 'B' + ')'.repeat(2000) + '\n' }, where: 'Kconfig:3' },
  { def: M.boolTestedForM, files: { Kconfig: 'config A\n\tbool "a"\n\nconfig B\n\tbool "b"\n\tdepends on A = m\n' }, where: 'Kconfig:4' },
  { def: M.choiceValueOutside, files: { Kconfig: 'choice\n\tprompt "c"\nconfig A\n\tbool "a"\nendchoice\nconfig A\n\tprompt "outside"\n' }, where: 'Kconfig:7' },
];

describe('Kconfig diagnostics: code and location', () => {
  for (const c of cases) {
    test(`${c.def.code} ${c.def.name} at ${c.where}`, () => {
      const r = load(c.files, { ...(c.env ? { env: c.env } : {}), ...(c.shell ? { shell: c.shell } : {}) });
      expect(at(r.diagnostics, c.def.code)).toContain(c.where);
      const d = r.diagnostics.find((x) => x.code === c.def.code)!;
      expect(d.severity).toBe(c.def.severity);
      expect(d.name).toBe(c.def.name);
    });
  }

  test('HV6007 recursive dependencies as Linux 6.1 finds them: through a choice group, and once per cycle', () => {
    const cycles = (text: string) => load({ Kconfig: text }).diagnostics.filter((d) => d.code === M.dependencyCycle.code).map((d) => `${d.span?.start.line}: ${d.message}`);
    // X depends on A, a value of the choice, and selects B, another: the group depends on itself.
    expect(cycles('choice\n\tprompt "c"\nconfig A\n\tbool "a"\nconfig B\n\tbool "b"\nendchoice\nconfig X\n\tbool "x"\n\tdepends on A\n\tselect B\n')).toEqual(['1: recursive dependency detected: <choice> -> X -> <choice>']);
    // A value's own dependency on its choice, and a choice's default naming its value, are no cycle.
    expect(cycles('choice\n\tprompt "c"\n\tdefault B\nconfig A\n\tbool "a"\nconfig B\n\tbool "b"\nendchoice\nconfig X\n\tbool "x"\n\tdepends on A\n')).toEqual([]);
    // D1 depends on and selects D2: one cycle, not also D2 -> D2 through the select's condition (Linux's err_recursive_dep).
    expect(cycles('config D1\n\tbool "D1"\n\tdepends on D2\n\tselect D2\n\nconfig D2\n\tbool\n')).toEqual(['1: recursive dependency detected: D1 -> D2 -> D1']);
  });

  test('HV6113 unmet direct dependency of a selected symbol (resolve warning, Linux wording)', () => {
    const r = load({ Kconfig: 'config A\n\tbool "a"\n\tdefault y\n\tselect B\n\nconfig B\n\tbool\n\tdepends on C\n\nconfig C\n\tbool "c"\n' });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const res = resolve(r.tree);
    const w = res.warnings.find((d) => d.code === M.unmetDependency.code)!;
    expect(w.message).toBe('unmet direct dependencies detected for B');
    expect(`${w.span?.file}:${w.span?.start.line}`).toBe('Kconfig:6');
    expect(w.notes).toEqual(['Depends on [n]: C [=n]', 'Selected by [y]:', '  - A [=y]']);
  });

  test('HV62xx .config reading diagnostics carry the .config file and line', () => {
    const r = load({
      Kconfig:
        'config B\n\tbool "b"\nconfig S\n\tstring "s"\nconfig I\n\tint "i"\nchoice\n\tprompt "c"\n\ttristate\nconfig C1\n\ttristate "c1"\nconfig C2\n\ttristate "c2"\nendchoice\nconfig MODULES\n\tbool "m"\n\tdefault y\n\tmodules\n',
    });
    const cfg = readDotConfig({
      file: 'my.config',
      text: 'CONFIG_B=y\nCONFIG_B=n\nCONFIG_S="open\nCONFIG_I=abc\nwhat is this\nCONFIG_NOPE=y\nCONFIG_C1=y\nCONFIG_C2=y\nCONFIG_C1=m\n',
    });
    const st = new KconfigState(r.tree);
    const ds = loadUserValues(st, cfg, { warnUnknown: true });
    const where = (code: string): string[] => at(ds, code);
    expect(where(M.configOverride.code)).toContain('my.config:2');
    expect(where(M.configInvalidString.code)).toEqual(['my.config:3']);
    expect(where(M.configInvalidValue.code)).toEqual(['my.config:4']);
    expect(where(M.configUnexpectedData.code)).toEqual(['my.config:5']);
    expect(where(M.configUnknownSymbol.code)).toEqual(['my.config:6']);
    expect(where(M.configChoiceState.code)).toEqual(['my.config:8', 'my.config:9']);
  });

  test('HV6207/HV6301 conf command errors are coded', async () => {
    let err = '';
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) }, stdin: '', env: {}, cwd: '/nonexistent-hvcc' };
    expect(await runConf(['--bogus', 'Kconfig'], io)).toBe(1);
    expect(err).toContain(M.confUsage.code);
    err = '';
    expect(await runConf(['--alldefconfig', 'Kconfig'], io)).toBe(1);
    expect(err).toContain(`Kconfig:0:error: can't find file Kconfig [${M.fileNotFound.code}]`);
  });

  test('every HV6xxx message is exercised by this file', () => {
    const covered = new Set([...cases.map((c) => c.def.code), 'HV6113', 'HV6201', 'HV6202', 'HV6203', 'HV6204', 'HV6205', 'HV6206', 'HV6207', 'HV6301', 'HV6302']);
    expect(Object.values(M).map((d) => d.code).filter((c) => !covered.has(c))).toEqual([]);
  });

  test('randomly damaged Kconfig files never make load/resolve/write throw (1000 seeded mutations)', () => {
    const fixtures = ['basic', 'select', 'choice', 'modules', 'expr', 'menus', 'nested', 'macro', 'env'].map((f) =>
      fs.readFileSync(path.join(fixturesRoot(), f, 'Kconfig'), 'latin1'),
    );
    const toks = ['config X\n', 'endmenu\n', 'endif\n', 'choice\n', 'endchoice\n', '"', '$(', ')', '\\\n', 'help\n', '\t', ' if ', '&&', '!', '(', 'select Y\n', 'default ', 'range 1 ', 'menu "m"\n', 'if A\n', '=', ':=', '$(1)', 'depends on ', '\n', 'source "x"\n', '#', 'optional\n', 'modules\n'];
    for (let seed = 1; seed <= 1000; seed++) {
      const r = mulberry32(seed);
      let s = fixtures[Math.floor(r() * fixtures.length)]!;
      const n = 1 + Math.floor(r() * 6);
      for (let i = 0; i < n; i++) {
        const pos = Math.floor(r() * s.length);
        const op = r();
        if (op < 0.4) s = s.slice(0, pos) + s.slice(pos + Math.floor(r() * 20));
        else if (op < 0.8) s = s.slice(0, pos) + toks[Math.floor(r() * toks.length)] + s.slice(pos);
        else s = s.slice(0, pos) + String.fromCharCode(Math.floor(r() * 128)) + s.slice(pos);
      }
      const run = (): void => {
        const res = load({ Kconfig: s }, { shell: () => '' });
        const st = resolve(res.tree, readDotConfig({ text: 'CONFIG_X=y\nCONFIG_B1=y\nCONFIG_INT_RANGE=5\n' }));
        writeDotConfig(st);
        writeMinimalDefconfig(st);
        writeCHeader(st);
      };
      expect(run).not.toThrow();
    }
  });

  test('deep but valid trees work: a 10,000-symbol dependency chain, 10,000 selectors, 1,000 nested ifs', () => {
    const chain = ['config S0\n\tbool "s0"\n\tdefault y\n'];
    for (let i = 1; i < 10000; i++) chain.push(`config S${i}\n\tbool "s${i}"\n\tdepends on S${i - 1}\n\tdefault y\n`);
    let r = load({ Kconfig: chain.join('\n') });
    expect(r.diagnostics).toEqual([]);
    let st = resolve(r.tree);
    expect(symbolValue(st, 'S9999')).toBe('y');
    expect(writeDotConfig(st).split('\n').length).toBe(10000 + 5);
    const sel = ['config T\n\tbool\n'];
    for (let i = 0; i < 10000; i++) sel.push(`config S${i}\n\tbool "s${i}"\n\tselect T if S${i}\n`);
    r = load({ Kconfig: sel.join('\n') });
    st = resolve(r.tree, { S9999: 'y' });
    expect(symbolValue(st, 'T')).toBe('y');
    const nest: string[] = [];
    for (let i = 0; i < 1000; i++) nest.push(`config I${i}\n\tbool "i${i}"\n\tdefault y\nif I${i}`);
    nest.push('config DEEP\n\tbool "deep"\n\tdefault y', ...Array(1000).fill('endif'));
    r = load({ Kconfig: nest.join('\n') + '\n' });
    expect(r.diagnostics).toEqual([]);
    expect(symbolValue(resolve(r.tree), 'DEEP')).toBe('y');
  });

  test('bad input never throws', () => {
    const junk = ['"', '$(', 'config\x00', 'choice\nendmenu\nendif\n', 'if\n', 'menu\n', 'config A\n\trange\n', '((((', '\\\n\\', 'help\n  x\n'];
    for (const j of junk) expect(() => load({ Kconfig: j })).not.toThrow();
  });
});
