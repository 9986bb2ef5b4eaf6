import { existsSync } from 'node:fs';
import * as z from 'zod';
import { dtMeta, standardProperties, type Binding, type DtKind } from '../../schemas/bindings/index.js';
import { ValidateJson } from '../../schemas/diagnostic-json.js';
import { dirname, join, relative } from 'node:path';
import { loadKconfig, resolve } from '../kconfig/index.js';
import { symbolHelp } from '../kconfig/conf-cli.js';
import type { MenuNode } from '../kconfig/model.js';
import { loadCatalogue } from '../components/catalogue.js';
import { packageRoot, runtimeDir } from '../paths.js';
import { checks } from '../checks/catalogue.js';
import { archBackends } from '../arch/index.js';
import { catalogue } from '../messages/catalogue.js';
import { explanationPath } from '../explain/explain.js';

/** docs/diagnostics.md, generated from the message catalogue (`npm run docs`; a test keeps it current). */
export function diagnosticsMarkdown(): string {
  const out = [
    '# Diagnostics',
    '',
    '<!-- Generated from the message catalogue by `npm run docs`; do not edit. -->',
    '',
    'Every message hvcc prints has a stable code and a name. For checks, the name is what `-W no-<name>` switches',
    'off; `--werror` turns warnings into errors. `hvcc explain CODE` prints the long explanation where there is one.',
    '',
  ];
  for (const area of catalogue) {
    out.push(`## ${area.area}`, '', '| code | name | severity | meaning |', '| --- | --- | --- | --- |');
    for (const m of area.messages) {
      const page = existsSync(explanationPath(m.code)) ? ` ([explained](explain/${m.code}.md))` : '';
      out.push(`| ${m.code} | \`${m.name}\` | ${m.severity} | ${m.summary.replace(/\|/g, '\\|')}${page} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** docs/checks.md: the named system checks, from the check table itself. */
export function checksMarkdown(): string {
  const out = [
    '# Checks',
    '',
    '<!-- Generated from compiler/checks/catalogue.ts and the architecture backends\' checks by `npm run docs`; do not edit. -->',
    '',
    'hvcc checks a description before it builds anything. Each check has a name, a stable code and a default',
    'severity; `-W no-<name>` switches one off, `--werror` makes warnings errors. `hvcc validate` runs them all',
    '(and every other pass short of the toolchain) and reports every problem it finds, not only the first.',
    'A check marked *mandatory* cannot be switched off: an image built past it would fail at boot. Checks',
    'listed under an architecture run only for boards of that architecture (their backend in `compiler/arch/`).',
    '',
    'Besides these system checks, the device-tree front end runs dtc\'s checks ([dts-checks.md](dts-checks.md)),',
    'and the bindings check each property of hvcc\'s nodes and of the devices it drives or emulates (HV2xxx in',
    '[diagnostics.md](diagnostics.md)).',
    '',
    '| name | code | severity | applies to | what it finds |',
    '| --- | --- | --- | --- | --- |',
  ];
  const rows = [...checks.map((c) => ({ c, arch: 'every board' })), ...archBackends.flatMap((b) => b.checks.map((c) => ({ c, arch: b.name })))];
  for (const { c, arch } of rows) {
    const m = c.message;
    const page = existsSync(explanationPath(m.code)) ? ` ([explained](explain/${m.code}.md))` : '';
    out.push(`| \`${m.name}\` | ${m.code} | ${m.severity}${c.mandatory ? ', mandatory' : ''} | ${arch} | ${m.summary.replace(/\|/g, '\\|')}${page} |`);
  }
  out.push('');
  return out.join('\n');
}

/** docs/options.md: every runtime option, by component, from the runtime's Kconfig tree itself. */
export function optionsMarkdown(): string {
  const { tree } = loadKconfig(join(runtimeDir, 'Kconfig'), { srctree: runtimeDir, cwd: runtimeDir, env: {} });
  const state = resolve(tree);
  const { catalogue } = loadCatalogue(runtimeDir);
  const byFolder = new Map<string, string[]>();
  const walk = (menu: MenuNode) => {
    if (menu.sym?.name && (menu.kind === 'config' || menu.kind === 'menuconfig')) {
      const folder = relative(packageRoot, dirname(menu.file));
      const help = symbolHelp(state, menu).split(packageRoot + '/').join('');
      byFolder.set(folder, [...(byFolder.get(folder) ?? []), '```', help.trimEnd(), '```', '']);
    }
    menu.children.forEach(walk);
  };
  walk(tree.root);
  const out = [
    '# Runtime options',
    '',
    '<!-- Generated from runtime/**/Kconfig by `npm run docs`; do not edit. -->',
    '',
    'Every option of the hypervisor runtime is a Kconfig symbol declared next to the component it belongs to.',
    'Values shown are the Kconfig defaults; `boards/<board>/defconfig` may set others. See [cli.md](cli.md) for',
    'the commands that change them and [kconfig.md](kconfig.md) for the language.',
    '',
  ];
  for (const [folder, blocks] of [...byFolder.entries()].sort()) {
    const component = catalogue.components.find((c) => relative(packageRoot, c.dir) === folder);
    out.push(`## ${folder}${component ? ` — ${component.manifest.name} (${component.manifest.kind})` : ''}`, '');
    if (component) out.push(component.manifest.description, '');
    out.push(...blocks);
  }
  return out.join('\n');
}

/** docs/schemas/diagnostics.schema.json: the JSON Schema of `hvcc validate --format json`, from its zod definition. */
export function diagnosticsJsonSchema(): string {
  return JSON.stringify(z.toJSONSchema(ValidateJson, { io: 'output' }), null, 2) + '\n';
}

/** The file name (without extension) of a binding's pages: its id with everything but letters and digits as '-'. */
export function bindingSlug(b: Binding): string {
  return b.id.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[] };

/**
 * A binding's properties as a JSON Schema (of the decoded values). Device-tree cells decoded to bigint (u64,
 * reg addresses and sizes) are integers here; each property's DT encoding is `x-dt-type`.
 */
export function bindingJsonSchema(b: Binding): JsonSchema {
  const schema = z.toJSONSchema(b.properties, {
    io: 'output',
    unrepresentable: 'any',
    override: (ctx) => {
      const def = (ctx.zodSchema as unknown as { _zod: { def: { type: string } } })._zod.def;
      if (def.type === 'bigint') {
        // JSON has no bigint: the bounds are numbers (a binding's are far below 2^53).
        const { minValue, maxValue } = ctx.zodSchema as unknown as { minValue: bigint | null; maxValue: bigint | null };
        Object.assign(ctx.jsonSchema, { type: 'integer', minimum: minValue !== null && minValue > 0n ? Number(minValue) : 0 }, maxValue !== null && maxValue < 1n << 63n ? { maximum: Number(maxValue) } : {});
      }
      const js = ctx.jsonSchema as Record<string, unknown>;
      if ('dt' in js) {
        js['x-dt-type'] = js.dt;
        delete js.dt;
      }
    },
  }) as JsonSchema;
  const { $schema, ...rest } = schema;
  return {
    $schema,
    title: b.title,
    description: b.description,
    'x-match': b.match,
    'x-role': b.role,
    ...rest,
  };
}

function constraints(p: JsonSchema): string {
  const out: string[] = [];
  if (Array.isArray(p.enum)) out.push(`one of ${(p.enum as unknown[]).map((v) => `\`${JSON.stringify(v)}\``).join(', ')}`);
  if (p.const !== undefined) out.push(`\`${JSON.stringify(p.const)}\``);
  if (typeof p.pattern === 'string') out.push(`matches \`/${p.pattern}/\``);
  if (typeof p.minLength === 'number' && p.minLength > 0) out.push(`at least ${p.minLength} character${p.minLength === 1 ? '' : 's'}`);
  if (typeof p.minItems === 'number' && p.minItems > 0) out.push(`at least ${p.minItems} entr${p.minItems === 1 ? 'y' : 'ies'}`);
  const u32 = p.minimum === 0 && p.maximum === 0xffff_ffff;
  if (!u32 && typeof p.minimum === 'number' && p.minimum !== 0) out.push(`≥ ${p.minimum}`);
  if (!u32 && typeof p.maximum === 'number') out.push(`≤ ${p.maximum}`);
  return out.join('; ') || 'any';
}

const DT_TYPE_TEXT: Record<DtKind, string> = {
  string: 'string',
  'string-list': 'string list',
  u32: 'u32 (one cell)',
  u64: 'u64 (one cell, or two with the high word first)',
  'u32-array': 'cells (u32 array)',
  interrupts: "interrupt specifiers (the interrupt controller's #interrupt-cells)",
  phandle: 'phandle',
  'phandle-array': 'phandles',
  reg: 'address/size cells in the parent\'s #address-cells/#size-cells',
  flag: 'empty (present or not)',
  any: 'any',
};

/** docs/bindings/<slug>.md: one binding, from its zod schema and `dt` metadata. */
export function bindingMarkdown(b: Binding): string {
  const schema = bindingJsonSchema(b);
  const required = new Set(schema.required ?? []);
  const matchText = 'compatible' in b.match ? `nodes with \`compatible = "${b.match.compatible}"\`` : `nodes with \`device_type = "${b.match.deviceType}"\``;
  const roleText = { 'host-device': 'a device of the board', 'guest-device': 'a device inside a guest (emulated)', hvcc: "one of hvcc's own nodes", board: 'a node of the board' }[b.role];
  const out = [
    `# ${b.title}`,
    '',
    `<!-- Generated from the bindings by \`npm run docs\`; do not edit. -->`,
    '',
    b.description,
    '',
    `Applies to ${matchText}, as ${roleText}. JSON Schema of the decoded properties: [${bindingSlug(b)}.schema.json](../schemas/bindings/${bindingSlug(b)}.schema.json).`,
    '',
    '| property | DT type | required | allowed values | description |',
    '| --- | --- | --- | --- | --- |',
  ];
  const shape = b.properties.shape as Record<string, z.ZodType>;
  for (const [name, prop] of Object.entries(shape)) {
    const meta = dtMeta(prop);
    const p = schema.properties?.[name] ?? {};
    const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    out.push(`| \`${name}\` | ${meta ? DT_TYPE_TEXT[meta.dt] : 'any'} | ${required.has(name) ? 'yes' : 'no'} | ${cell(constraints(p))} | ${cell(meta?.description ?? '')} |`);
  }
  out.push('', `Besides these, every node may carry ${standardProperties.map((p) => `\`${p}\``).join(', ')}.`, '');
  return out.join('\n');
}

/** Every binding docs/bindings/ describes: hvcc's own and the in-tree components'. */
export function docBindings(): readonly Binding[] {
  return loadCatalogue(runtimeDir).catalogue.bindings.all;
}

/** docs/bindings/README.md: the list of bindings. */
export function bindingsIndexMarkdown(): string {
  const out = ['# Bindings', '', '<!-- Generated from the bindings by `npm run docs`; do not edit. -->', '', 'What hvcc reads from each kind of node, generated from hvcc\'s own bindings (`schemas/bindings/`) and the components\' binding files (`runtime/**/binding.json`).', '', '| binding | applies to | role |', '| --- | --- | --- |'];
  for (const b of docBindings()) {
    const match = 'compatible' in b.match ? `compatible "${b.match.compatible}"` : `device_type "${b.match.deviceType}"`;
    out.push(`| [${b.title}](${bindingSlug(b)}.md) | ${match} | ${b.role} |`);
  }
  out.push('');
  return out.join('\n');
}

/** Every generated file under docs/ but diagnostics.md and checks.md, by path relative to docs/. */
export function generatedSchemaDocs(): Map<string, string> {
  const files = new Map<string, string>();
  files.set('schemas/diagnostics.schema.json', diagnosticsJsonSchema());
  files.set('bindings/README.md', bindingsIndexMarkdown());
  for (const b of docBindings()) {
    files.set(`schemas/bindings/${bindingSlug(b)}.schema.json`, JSON.stringify(bindingJsonSchema(b), null, 2) + '\n');
    files.set(`bindings/${bindingSlug(b)}.md`, bindingMarkdown(b));
  }
  return files;
}
