/**
 * The files `npm run docs` generates from zod schemas (the JSON output's schema, each binding's JSON Schema
 * and page) are current, and the generated folders hold nothing else.
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { bindingJsonSchema, bindingSlug, docBindings, generatedSchemaDocs } from '../../../compiler/docs/generate.js';
import { root } from './harness.js';

const docs = join(root, 'docs');
const files = generatedSchemaDocs();
const bindings = docBindings();

describe('generated schema docs (run `npm run docs` when these fail)', () => {
  test.each([...files.keys()])('docs/%s is current', (path) => {
    expect(readFileSync(join(docs, path), 'utf8')).toBe(files.get(path));
  });

  test('the generated folders hold only generated files', () => {
    for (const dir of ['bindings', 'schemas/bindings']) {
      for (const f of readdirSync(join(docs, dir))) expect(files.has(`${dir}/${f}`) ? f : `${dir}/${f} (stale)`).toBe(f);
    }
  });

  test('every binding has a page and a schema, and each schema is valid JSON Schema (2020-12)', () => {
    const ajv = new Ajv2020({ strict: false });
    for (const b of bindings) {
      expect(files.has(`bindings/${bindingSlug(b)}.md`)).toBe(true);
      const schema = bindingJsonSchema(b);
      expect(ajv.validateSchema(schema)).toBe(true);
      // Every property of the zod shape is in the JSON Schema, with its DT type.
      for (const name of Object.keys(b.properties.shape)) expect(schema.properties?.[name]?.['x-dt-type']).toBeDefined();
    }
    expect(new Set(bindings.map(bindingSlug)).size).toBe(bindings.length);
  });

  test('docs/ci.md shows examples/ci/hvcc-validate.yml as it is', () => {
    const ci = readFileSync(join(docs, 'ci.md'), 'utf8');
    const block = /^```yaml\n([\s\S]*?)^```$/m.exec(ci);
    expect(block?.[1]).toBe(readFileSync(join(root, 'examples', 'ci', 'hvcc-validate.yml'), 'utf8'));
  });

  test('a binding schema accepts decoded values and rejects wrong ones (bigint cells are integers)', () => {
    const ajv = new Ajv2020({ strict: false });
    const memory = ajv.compile(bindingJsonSchema(bindings.find((b) => b.id === 'guest memory')!));
    expect(memory({ reg: [{ base: 0x40000000, size: 0x1000000 }], 'host-address': 0x48000000 })).toBe(true);
    expect(memory({ reg: [] })).toBe(false);
    expect(memory({ reg: [{ base: 1, size: 1 }], 'host-adress': 1 })).toBe(false);
    const psci = ajv.compile(bindingJsonSchema(bindings.find((b) => b.id === 'arm,psci')!));
    expect(psci({ method: 'smc' })).toBe(true);
    expect(psci({ method: 'svc' })).toBe(false);
  });
});
