/**
 * The machine-readable outputs of `hvcc validate`, from the real command (`main`, the CLI's entry point):
 * `--format json` against its zod schema and against the exported docs/schemas/diagnostics.schema.json;
 * `--format sarif` against the SARIF 2.1.0 schema (see test/fixtures/sarif/README.md).
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { main } from '../../../compiler/cli/main.js';
import { ValidateJson } from '../../../schemas/diagnostic-json.js';
import { buildGuests, root } from './harness.js';

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv | Ajv2020) => void;

const fixturesDir = join(root, 'test', 'fixtures', 'checks');
// The SARIF 2.1.0 schema (rtm.5, the release GitHub code scanning's upload names) as Microsoft's SARIF
// package ships it; installed with the dev dependencies (see test/fixtures/sarif/README.md).
const sarifSchemaPath = join(root, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');

/** Every check fixture, a clean example and a file that does not exist (a diagnostic with no span). */
const files = [
  ...readdirSync(fixturesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(fixturesDir, e.name, 'system.dts')),
  join(root, 'examples', 'two-guests', 'system.dts'),
  join(root, 'examples', 'no-such-system.dts'),
];

async function validate(format: string, args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const io = { stdout: (s: string | Uint8Array) => void (stdout += String(s)), stderr: () => {}, color: false, cwd: root };
  const code = await main(['validate', '--format', format, ...args], io);
  return { code, stdout };
}

beforeAll(() => buildGuests());

describe('validate --format json', () => {
  test('matches the zod schema and the exported JSON Schema', async () => {
    const { code, stdout } = await validate('json', files);
    expect(code).toBe(1);
    const out = JSON.parse(stdout) as unknown;
    const parsed = ValidateJson.parse(out);
    expect(parsed.diagnostics.length).toBeGreaterThan(files.length - 2);
    expect(parsed.diagnostics.some((d) => d.span === null)).toBe(true);
    expect(parsed.diagnostics.some((d) => d.related.length > 0)).toBe(true);
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const check = ajv.compile(JSON.parse(readFileSync(join(root, 'docs', 'schemas', 'diagnostics.schema.json'), 'utf8')) as object);
    expect(check(out) ? [] : check.errors).toEqual([]);
  });

  test('the schema rejects what the format is not', () => {
    const good = { version: 1, diagnostics: [{ code: 'HV3004', name: 'cpu-shared', severity: 'error', message: 'm', span: null, related: [], notes: [], help: null }] };
    expect(ValidateJson.safeParse(good).success).toBe(true);
    expect(ValidateJson.safeParse({ ...good, version: 2 }).success).toBe(false);
    expect(ValidateJson.safeParse({ version: 1, diagnostics: [{ ...good.diagnostics[0], severity: 'fatal' }] }).success).toBe(false);
    expect(ValidateJson.safeParse({ version: 1, diagnostics: [{ ...good.diagnostics[0], extra: 1 }] }).success).toBe(false);
  });

  test('a clean description: exit 0 and no diagnostics', async () => {
    const { code, stdout } = await validate('json', [join(root, 'examples', 'two-guests', 'system.dts')]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ version: 1, diagnostics: [] });
  });
});

describe('validate --format sarif', () => {
  function sarifValidator() {
    if (!existsSync(sarifSchemaPath)) throw new Error(`${sarifSchemaPath} is missing: npm ci installs it (see test/fixtures/sarif/README.md)`);
    // The official schema is draft-04; its keywords here (type, enum, pattern, format, required, anyOf, oneOf,
    // $ref, minimum, uniqueItems ...) mean the same in draft-07, which ajv implements: only `id` is renamed.
    const { $schema: _draft, id, ...schema } = JSON.parse(readFileSync(sarifSchemaPath, 'utf8')) as Record<string, unknown>;
    // rtm.5's `language` pattern has a stray `]` (fixed in the errata): valid without the regex `u` flag only.
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    addFormats(ajv);
    return ajv.compile({ ...schema, $id: id as string });
  }

  test('real output is valid SARIF 2.1.0', async () => {
    const check = sarifValidator();
    const { code, stdout } = await validate('sarif', files);
    expect(code).toBe(1);
    const log = JSON.parse(stdout) as { runs: { results: { ruleId: string; ruleIndex?: number; relatedLocations?: unknown[]; locations: unknown[] }[]; tool: { driver: { rules: { id: string }[] } } }[] };
    expect(check(log) ? [] : check.errors).toEqual([]);
    const run = log.runs[0]!;
    // Every result names its rule, and ruleIndex points at it.
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex!]!.id).toBe(r.ruleId);
    expect(run.results.some((r) => (r.relatedLocations ?? []).length > 0)).toBe(true);
    expect(run.results.some((r) => r.locations.length === 0)).toBe(true);
  });

  test('paths inside the root are relative to %SRCROOT% and percent-encoded', async () => {
    const { stdout } = await validate('sarif', [join(fixturesDir, 'HV3004-cpu-shared', 'system.dts')]);
    const log = JSON.parse(stdout);
    const loc = log.runs[0].results[0].locations[0].physicalLocation;
    expect(loc.artifactLocation).toEqual({ uri: 'test/fixtures/checks/HV3004-cpu-shared/system.dts', uriBaseId: '%SRCROOT%' });
    expect(loc.region.startLine).toBeGreaterThan(0);
    expect(sarifValidator()(log)).toBe(true);
  });

  test('a path with spaces and # is still a valid URI reference', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-sarif-'));
    try {
      const sub = join(dir, 'my boards #1');
      mkdirSync(sub);
      const text = readFileSync(join(fixturesDir, 'HV3004-cpu-shared', 'system.dts'), 'utf8').replaceAll('../../../../', `${root}/`);
      writeFileSync(join(sub, 'system.dts'), text);
      copyFileSync(join(fixturesDir, 'HV3004-cpu-shared', 'defconfig'), join(sub, 'defconfig'));
      let stdout = '';
      const io = { stdout: (s: string | Uint8Array) => void (stdout += String(s)), stderr: () => {}, color: false, cwd: dir };
      expect(await main(['validate', '--format', 'sarif', join(sub, 'system.dts')], io)).toBe(1);
      const log = JSON.parse(stdout);
      const check = sarifValidator();
      expect(check(log) ? [] : check.errors).toEqual([]);
      expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('my%20boards%20%231/system.dts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the validator is not vacuous: a broken log fails it', () => {
    const check = sarifValidator();
    expect(check({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: {}, level: 'fatal' }] }] })).toBe(false);
  });
});
