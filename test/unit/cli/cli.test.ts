/**
 * The command line as a user meets it, through `main` (what bin/hvcc.js runs): options before the file,
 * -W names checked, --version, every command's --help against the options its handler reads, validate's
 * summary line, and file-system mistakes on the command line reported as coded diagnostics.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../../compiler/cli/main.js';
import { buildGuests, root } from '../validate/harness.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  reads: Map<string, string[]>;
}

async function hvcc(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const reads = new Map<string, string[]>();
  const io = {
    stdout: (s: string | Uint8Array) => void (stdout += typeof s === 'string' ? s : Buffer.from(s).toString()),
    stderr: (s: string) => void (stderr += s),
    color: false,
    cwd: root,
    stdin: Readable.from([]),
    stdinIsTTY: false,
  };
  const code = await main(args, io, { onOptionsRead: (command, options) => reads.set(command, options) });
  return { code, stdout, stderr, reads };
}

const fixture = (name: string) => join(root, 'test', 'fixtures', 'checks', name, 'system.dts');
const clean = join(root, 'examples', 'two-guests', 'system.dts');
/** A warning a check can be switched off for (block-mapping-alignment). */
const blockAlign = fixture('HV3022-block-mapping-alignment');
const cpuShared = fixture('HV3004-cpu-shared');

let tmp: string;
let broken: string;
beforeAll(() => {
  buildGuests();
  tmp = mkdtempSync(join(tmpdir(), 'hvcc-cli-'));
  broken = join(tmp, 'broken.dts');
  writeFileSync(broken, '/dts-v1/;\n/ {\n\tx = <1>\n};\n');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('options before the file', () => {
  test('validate -W no-block-mapping-alignment FILE', async () => {
    const r = await hvcc('validate', '--werror', '-W', 'no-block-mapping-alignment', blockAlign);
    expect(r.stderr).not.toContain('HV3022');
    expect(r.stderr).not.toContain('non-option');
    expect(r.code).toBe(0);
    // And the check is on without it.
    expect((await hvcc('validate', '--werror', blockAlign)).code).toBe(1);
  });

  test('-W twice, and dtc\'s spelling of a dtc check', async () => {
    const r = await hvcc('validate', '-W', 'no-block-mapping-alignment', '-W', 'no-unit_address_vs_reg', blockAlign);
    expect([r.code, r.stderr]).toEqual([0, 'hvcc: 1 file, 1 guest: no problems\n']);
  });

  test('a check whose violation would fail at boot cannot be switched off', async () => {
    const r = await hvcc('validate', '-W', 'no-cpu-shared', cpuShared);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[HV0003]: -W no-cpu-shared: the check 'cpu-shared' (HV3004) cannot be switched off: an image built past it would fail at boot");
  });

  test('build -i DIR FILE reads FILE (and -i DIR)', async () => {
    const r = await hvcc('build', '-i', tmp, '-O', join(tmp, 'out'), broken);
    expect(r.stderr).not.toContain('non-option');
    expect(r.stderr).toContain('error[HV1001]');
    expect(r.code).toBe(1);
  });
});

describe('-W', () => {
  test('an unknown check name is a usage error, with the nearest name', async () => {
    const r = await hvcc('validate', '-W', 'no-block-mapping-alignmnt', clean);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error[HV0003]: -W no-block-mapping-alignmnt: no check is named 'block-mapping-alignmnt'; did you mean 'block-mapping-alignment' (-W no-block-mapping-alignment)?\n  = help: 'hvcc validate --help' lists the options\n\n");
  });
  test('a dtc check name mistyped', async () => {
    const r = await hvcc('build', '-W', 'no-unit-adress-vs-reg', clean);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("did you mean 'unit-address-vs-reg'");
  });
  test('a name without no-', async () => {
    const r = await hvcc('validate', '-W', 'block-mapping-alignment', clean);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('-W no-block-mapping-alignment switches this one off');
  });
  test('the catalogue name of a code dtc checks share switches them all off', async () => {
    const dts = join(tmp, 'clocks.dts');
    writeFileSync(dts, readFileSync(clean, 'utf8').replace('/include/ "../../boards', `/include/ "${root}/boards`).replace('"../guests/', `"${root}/examples/guests/`).replace('console = <&uart0>;', 'console = <&uart0>;\n\t\tclocks = <&uart0>;'));
    expect((await hvcc('validate', dts)).stderr).toContain('warning[HV1136]');
    expect((await hvcc('validate', '-W', 'no-phandle-provider-cells', dts)).stderr).not.toContain('HV1136');
  });
});

test('--version and -V print the version from package.json', async () => {
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  for (const flag of ['--version', '-V']) {
    const r = await hvcc(flag);
    expect([r.code, r.stdout]).toEqual([0, `hvcc ${version}\n`]);
  }
});

describe('--help', () => {
  /** The options and positionals a command's --help lists (long names; short-only options as they are). */
  function listed(help: string): { options: string[]; undescribed: string[] } {
    const options: string[] = [];
    const undescribed: string[] = [];
    let section = '';
    for (const line of help.split('\n')) {
      if (/^[A-Z][a-z]+:$/.test(line)) {
        section = line;
        continue;
      }
      if (section === 'Options:') {
        const m = /^ {2}(?:-(\w), )?(?:--([\w-]+)|-(\w))?\s+(.*)$/.exec(line.replace(/^ {6}--/, '  --'));
        const name = m?.[2] ?? m?.[3] ?? m?.[1];
        if (!m || !name) continue;
        if (name !== 'help') options.push(name);
        if (/^\[[^\]]*\]( \[[^\]]*\])*$/.test(m[4]!.trim()) || m[4]!.trim() === '') undescribed.push(name);
      }
      if (section === 'Positionals:') {
        const m = /^ {2}([\w]+)\s+(.*)$/.exec(line);
        if (!m) continue;
        options.push(m[1]!);
        if (/^\[/.test(m[2]!.trim())) undescribed.push(m[1]!);
      }
    }
    return { options: options.sort(), undescribed };
  }

  /** Each command, run so that its handler runs (quickly, touching only `tmp`). */
  const invocations: Record<string, () => string[]> = {
    build: () => ['build', '-O', join(tmp, 'b'), broken],
    run: () => ['run', '-O', join(tmp, 'r'), broken],
    validate: () => ['validate', broken],
    map: () => ['map', broken],
    diff: () => ['diff', broken, broken],
    explain: () => ['explain', 'HV3004'],
    defconfig: () => ['defconfig', '-O', join(tmp, 'k')],
    olddefconfig: () => ['olddefconfig', '-O', join(tmp, 'k')],
    oldconfig: () => ['oldconfig', '-O', join(tmp, 'k')],
    config: () => ['config', '-O', join(tmp, 'k')],
    savedefconfig: () => ['savedefconfig', '-O', join(tmp, 'k'), join(tmp, 'k', 'defconfig')],
    menuconfig: () => ['menuconfig', '-O', join(tmp, 'k')],
  };

  test('hvcc --help lists every command, and only --version and --help', async () => {
    const r = await hvcc('--help');
    expect(r.code).toBe(0);
    const commands = [...r.stdout.matchAll(/^ {2}hvcc (\w+)/gm)].map((m) => m[1]!).sort();
    expect(commands).toEqual([...Object.keys(invocations), 'conf', 'dtc', 'fdtoverlay'].sort());
    expect(listed(r.stdout).options).toEqual(['version']);
  });

  test.each(Object.keys(invocations))('hvcc %s --help describes exactly the options its handler reads', async (command) => {
    mkdirSync(join(tmp, 'k'), { recursive: true });
    const help = await hvcc(command, '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(new RegExp(`^hvcc ${command}\\b`));
    const { options, undescribed } = listed(help.stdout);
    expect(undescribed).toEqual([]);
    const run = await hvcc(...invocations[command]!());
    const read = run.reads.get(command);
    expect(read).toBeDefined();
    expect(options).toEqual(read);
  });

  test.each(Object.keys(invocations))('docs/cli.md documents every option of hvcc %s --help', async (command) => {
    const doc = readFileSync(join(root, 'docs', 'cli.md'), 'utf8');
    const sections = doc.split(/^(?=## )/m);
    const shared = sections[0]!;
    const own = sections.filter((sec) => new RegExp(`^## .*\\bhvcc ${command}\\b`).test(sec) || new RegExp(`^## Options: .*\\b${command}\\b`).test(sec));
    expect(own.length).toBeGreaterThan(0);
    const text = [shared, ...own].join('\n');
    const help = (await hvcc(command, '--help')).stdout;
    const flags = [...help.matchAll(/^ {2}(?:(-\w), )?(?: {4})?(--[\w-]+|-\w)\b/gm)].map((m) => [m[1], m[2]!] as const).filter(([, f]) => f !== '--help');
    const positional = new Set(listed(help).options);
    for (const [short, long] of flags) {
      positional.delete(long.replace(/^-+/, ''));
      const documented = [short, long].some((f) => f !== undefined && new RegExp(`[\`[]${f}[\\s\`/,=\\]]`).test(text));
      expect(documented ? long : `${long} (not in docs/cli.md)`).toBe(long);
    }
  });

  test('hvcc fdtoverlay --help lists -i, -o, -v and -h, and each is accepted', async () => {
    const r = await hvcc('fdtoverlay', '--help');
    const flags = [...r.stdout.matchAll(/^ {2}(-\w), (--[\w-]+)/gm)].map((m) => m[1]);
    expect(flags).toEqual(['-i', '-o', '-v', '-h']);
    // -v is fdtoverlay's (hvcc prints nothing more); an option not listed is refused.
    const missing = await hvcc('fdtoverlay', '-v', '-i', join(tmp, 'none.dtb'), '-o', join(tmp, 'o.dtb'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`hvcc fdtoverlay: cannot read the base blob (-i) '${join(tmp, 'none.dtb')}': no such file\n`);
    expect((await hvcc('fdtoverlay', '-x')).code).toBe(2);
  });

  test('hvcc dtc --help lists every option hvcc dtc takes', async () => {
    const r = await hvcc('dtc', '--help');
    const flags = [...r.stdout.matchAll(/^ {2}(-[\w@]), (--[\w-]+)/gm)].map((m) => m[2]!);
    for (const f of ['--in-format', '--out-format', '--out', '--include', '--symbols', '--boot-cpu', '--reserve', '--pad', '--space', '--align', '--warning', '--error', '--force', '--quiet', '--out-dependency', '--out-version', '--phandle', '--help', '--version']) {
      expect(flags).toContain(f);
    }
  });
});

describe('validate', () => {
  test('a clean run ends with one line: files, guests, no problems', async () => {
    const r = await hvcc('validate', clean);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', 'hvcc: 1 file, 2 guests: no problems\n']);
  });
  test('-q: nothing at all when clean', async () => {
    const r = await hvcc('validate', '-q', clean);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
  });
  test('warnings are counted; two files', async () => {
    const warned = fixture('HV3019-no-guests');
    const r = await hvcc('validate', clean, warned);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\nhvcc: 2 files, 2 guests: 1 warning\n$/);
  });
  test('errors: the summary line counts them (and no guests, which were not all read)', async () => {
    const r = await hvcc('validate', cpuShared, broken);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('hvcc:'))).toEqual(['hvcc: 2 files: 2 errors']);
  });
});

describe('files on the command line', () => {
  test('build -O naming a file: HV0006, the file untouched, exit 1', async () => {
    const file = join(tmp, 'not-a-folder');
    writeFileSync(file, 'keep');
    const r = await hvcc('build', '-O', file, clean);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error[HV0006]: cannot create the output folder (-O) '${file}': it is a file, not a folder`);
    expect(r.stderr).not.toContain('internal error');
    expect(readFileSync(file, 'utf8')).toBe('keep');
  });

  test('a description that is a folder: HV0005; one that does not exist: HV0001', async () => {
    const r = await hvcc('validate', tmp, join(tmp, 'none.dts'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error[HV0005]: cannot read the description '${tmp}': it is a folder, not a file`);
    expect(r.stderr).toContain(`error[HV0001]: cannot read the description '${join(tmp, 'none.dts')}': no such file`);
  });

  test('--config naming a folder: HV0005 once, whatever the number of files', async () => {
    const r = await hvcc('validate', '--config', tmp, clean, clean);
    expect(r.code).toBe(1);
    expect(r.stderr.match(/HV0005/g)).toHaveLength(1);
    expect(r.stderr).not.toContain('internal error');
  });

  test('a guest image that is a folder: a file-system error (HV0005), not an internal error, in validate and build', async () => {
    const dts = join(tmp, 'image-folder.dts');
    writeFileSync(dts, readFileSync(clean, 'utf8').replace('/include/ "../../boards', `/include/ "${root}/boards`).replace('"../guests/build/hello-alpha.elf"', `"${tmp}"`).replace('"../guests/', `"${root}/examples/guests/`));
    for (const args of [['validate', dts], ['build', '-O', join(tmp, 'img'), dts]]) {
      const r = await hvcc(...args);
      expect(r.stderr).not.toContain('internal error');
      expect(r.stderr).toContain('error[HV0005]');
      expect(r.code).toBe(1);
    }
  });
});

test('map on a description with errors prints them and what it could compute, with the conflicts marked, and exits 1', async () => {
  const r = await hvcc('map', cpuShared);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('error[HV3004]');
  expect(r.stdout).toContain('(the description has errors: host placement computed from what could be read)');
  expect(r.stdout).toMatch(/Conflicts:\n {2}HV3004 /);
});
