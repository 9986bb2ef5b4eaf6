import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { loadKconfig, resolve } from '../kconfig/index.js';
import { symbolHelp } from '../kconfig/conf-cli.js';
import type { MenuNode } from '../kconfig/model.js';
import { loadCatalogue } from '../components/catalogue.js';
import { packageRoot, runtimeDir } from '../paths.js';
import { checks } from '../checks/catalogue.js';
import { catalogue } from '../diagnostics/catalogue.js';
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
    for (const m of area.messages) out.push(`| ${m.code} | \`${m.name}\` | ${m.severity} | ${m.summary.replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  return out.join('\n');
}

/** docs/checks.md: the named system checks, from the check table itself. */
export function checksMarkdown(): string {
  const out = [
    '# Checks',
    '',
    '<!-- Generated from compiler/checks/catalogue.ts by `npm run docs`; do not edit. -->',
    '',
    'hvcc checks a description before it builds anything. Each check has a name, a stable code and a default',
    'severity; `-W no-<name>` switches one off, `--werror` makes warnings errors. `hvcc validate` runs them all',
    '(and every other pass short of the toolchain) and reports every problem it finds, not only the first.',
    '',
    'Besides these system checks, the device-tree front end runs dtc\'s checks ([dts-checks.md](dts-checks.md)),',
    'and the bindings check each property of hvcc\'s nodes and of the devices it drives or emulates (HV2xxx in',
    '[diagnostics.md](diagnostics.md)).',
    '',
    '| name | code | severity | what it finds |',
    '| --- | --- | --- | --- |',
  ];
  for (const c of checks) {
    const m = c.message;
    const page = existsSync(explanationPath(m.code)) ? ` ([explained](explain/${m.code}.md))` : '';
    out.push(`| \`${m.name}\` | ${m.code} | ${m.severity} | ${m.summary.replace(/\|/g, '\\|')}${page} |`);
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
