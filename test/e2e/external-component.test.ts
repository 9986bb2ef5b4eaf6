import { beforeAll, describe, expect, test } from '@jest/globals';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleGuests, hvcc, root, symbols, tempDir } from './harness.js';

const fixture = join(root, 'test', 'fixtures', 'components', 'scratch-mailbox');
const system = join(fixture, 'system.dts');

beforeAll(() => buildExampleGuests());

/**
 * A component from outside the tree: its folder (manifest, Kconfig, binding, C sources, state header) is
 * copied into a temporary folder that only the component search path names. No compiler file knows it.
 */
describe('a component from the search path', () => {
  test('is unknown without the search path', () => {
    const r = hvcc(['validate', system]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[HV4006]: no device emulator for "acme,scratch-mailbox"');
  });

  test('is found through HVCC_COMPONENT_PATH, configured, compiled and linked, and a guest reads its parameters and linked file', () => {
    const components = tempDir('components');
    cpSync(join(fixture, 'component'), join(components, 'scratch-mailbox'), { recursive: true });
    const out = tempDir('scratch');
    const r = hvcc(['run', system, '-O', out, '--timeout', '60'], { env: { HVCC_COMPONENT_PATH: components } });
    expect(r.stderr).not.toMatch(/error\[/);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    // The ID is the u32 parameter, the reads count in the instance state, the reset hook ran once.
    expect(lines).toContain('[probe] mailbox: id 0x00000000acce55ed, reads 123, scratch 0x0000000000005eed, resets 1');
    // The string parameter and the bytes of the file parameter, linked into the image.
    expect(lines).toContain("[probe] mailbox: label 'from the search path', blob 'linked bytes'");
    expect(lines).toContain('[hv] all guests have stopped, powering off');

    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const mailbox = manifest.components.find((c: { name: string }) => c.name === 'scratch-mailbox-emulator');
    expect(mailbox.reasons[0].node).toBe('/guests/probe/mailbox@a000000');
    expect(symbols(join(out, 'hypervisor.elf'))).toEqual(expect.arrayContaining(['hv_guest_0_dev_1_state', 'hv_guest_0_dev_1_params']));
    // Its Kconfig joined the build's configuration.
    expect(readFileSync(join(out, 'hvcc.config'), 'utf8')).toContain('CONFIG_HV_EMULATOR_SCRATCH_MAILBOX=y');
  });

  test('is found through --components as well, and its Kconfig symbol switches it off like any other', () => {
    const components = tempDir('components');
    cpSync(join(fixture, 'component'), join(components, 'scratch-mailbox'), { recursive: true });
    const config = join(tempDir('config'), 'off.config');
    writeFileSync(config, '# CONFIG_HV_EMULATOR_SCRATCH_MAILBOX is not set\n');
    const r = hvcc(['validate', system, '--components', components, '--config', config]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("needs component 'scratch-mailbox-emulator', but CONFIG_HV_EMULATOR_SCRATCH_MAILBOX is not set");
  });
});
