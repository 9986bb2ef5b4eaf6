/**
 * Seeded random Kconfig generator for differential fuzzing (and the 10,000-symbol benchmark). Only references to
 * earlier symbols (and selects of later ones) are generated, so there are no dependency cycles.
 */
import { seededRandom as mulberry32 } from '../../support/rng.js';
export { mulberry32 };

export interface Generated {
  kconfig: string;
  /** A random .config exercising assignments (some invalid, some to unknown symbols). */
  config: string;
  names: string[];
}

type T = 'bool' | 'tristate' | 'int' | 'hex' | 'string';

/**
 * opts.kconfiglibSafe leaves out the constructs where kconfiglib knowingly differs from Linux (see the fixtures'
 * deviations): "!= n" conditions, imply, optional choices and out-of-range .config values.
 */
export function generateKconfig(seed: number, count: number, opts: { modulesKeyword?: boolean; kconfiglibSafe?: boolean } = {}): Generated {
  const r = mulberry32(seed);
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number): boolean => r() < p;
  const syms: { name: string; type: T }[] = [];
  const lines: string[] = [];
  const bools = (): { name: string; type: T }[] => syms.filter((s) => s.type === 'bool' || s.type === 'tristate');
  const ints = (): { name: string; type: T }[] => syms.filter((s) => s.type === 'int');
  const atom = (): string => {
    const b = bools();
    if (chance(0.15) && ints().length) {
      const i = pick(ints());
      return `${i.name} ${pick(['<', '>', '<=', '>=', '=', '!='])} ${Math.floor(r() * 20)}`;
    }
    if (!b.length) return 'y';
    const s = pick(b);
    if (chance(0.1)) return opts.kconfiglibSafe ? `${s.name} = ${pick(['y', 'm', 'n'])}` : `${s.name} ${pick(['=', '!='])} ${pick(['y', 'm', 'n'])}`;
    return chance(0.2) ? `!${s.name}` : s.name;
  };
  const expr = (depth = 0): string => {
    if (depth > 1 || chance(0.55)) return atom();
    const op = pick(['&&', '||']);
    const e = `${expr(depth + 1)} ${op} ${expr(depth + 1)}`;
    return chance(0.3) ? `(${e})` : e;
  };
  const later: string[] = [];
  lines.push('config MODULES', '\tbool "Enable modules"', '\tdefault y', opts.modulesKeyword ? '\tmodules' : '\toption modules', '');
  syms.push({ name: 'MODULES', type: 'bool' });
  let open: ('menu' | 'if')[] = [];
  let i = 0;
  while (i < count) {
    const roll = r();
    if (roll < 0.04 && open.length < 3) {
      lines.push(`menu "Menu ${i}"`);
      // 4.11 only accepts 'visible if' before 'depends on'.
      if (chance(0.2) && bools().length) lines.push(`\tvisible if ${pick(bools()).name}`);
      if (chance(0.4)) lines.push(`\tdepends on ${expr()}`);
      lines.push('');
      open.push('menu');
      continue;
    }
    if (roll < 0.07 && open.length < 3) {
      lines.push(`if ${expr()}`, '');
      open.push('if');
      continue;
    }
    if (roll < 0.11 && open.length) {
      lines.push(open.pop() === 'menu' ? 'endmenu' : 'endif', '');
      continue;
    }
    if (roll < 0.13) {
      lines.push(`comment "Comment ${i}"`);
      if (chance(0.5)) lines.push(`\tdepends on ${expr()}`);
      lines.push('');
      continue;
    }
    if (roll < 0.18 && bools().length) {
      // A choice of 2-4 values.
      const tri = chance(0.3);
      const n = 2 + Math.floor(r() * 3);
      const values: string[] = [];
      for (let k = 0; k < n; k++) values.push(`C${i}_${k}`);
      lines.push('choice', `\tprompt "Choice ${i}"`);
      if (tri) lines.push('\ttristate');
      if (chance(0.25) && !opts.kconfiglibSafe) lines.push('\toptional');
      if (chance(0.3)) lines.push(`\tdepends on ${expr()}`);
      if (chance(0.5)) lines.push(`\tdefault ${pick(values)}${chance(0.5) ? ` if ${atom()}` : ''}`);
      lines.push('');
      for (const v of values) {
        lines.push(`config ${v}`, `\t${tri && chance(0.8) ? 'tristate' : 'bool'} "${v}"`);
        if (chance(0.25)) lines.push(`\tdepends on ${atom()}`);
        lines.push('');
      }
      lines.push('endchoice', '');
      for (const v of values) syms.push({ name: v, type: tri ? 'tristate' : 'bool' });
      i += n;
      continue;
    }
    const type: T = pick(['bool', 'bool', 'bool', 'tristate', 'tristate', 'int', 'hex', 'string'] as const);
    const name = `S${i}`;
    const prompt = chance(0.75);
    lines.push(`${chance(0.08) && prompt ? 'menuconfig' : 'config'} ${name}`);
    lines.push(prompt ? `\t${type} "Symbol ${i}"${chance(0.1) ? ` if ${atom()}` : ''}` : `\t${type}`);
    if (chance(0.4)) lines.push(`\tdepends on ${expr()}`);
    const nd = Math.floor(r() * 3);
    for (let k = 0; k < nd; k++) {
      let v: string;
      if (type === 'bool' || type === 'tristate') v = chance(0.5) ? pick(['y', 'm', 'n']) : expr();
      else if (type === 'int') v = String(Math.floor(r() * 40) - 5);
      else if (type === 'hex') v = `0x${Math.floor(r() * 4096).toString(16)}`;
      else v = `"str ${i} \\"q\\" ${k}"`;
      lines.push(`\tdefault ${v}${chance(0.5) ? ` if ${atom()}` : ''}`);
    }
    if (type === 'int' && chance(0.4)) lines.push(`\trange ${Math.floor(r() * 5)} ${10 + Math.floor(r() * 20)}`);
    if (type === 'hex' && chance(0.4)) lines.push(`\trange 0x10 0x${(256 + Math.floor(r() * 4096)).toString(16)}`);
    if ((type === 'bool' || type === 'tristate') && chance(0.25)) {
      const t = `S${i + 1 + Math.floor(r() * 15)}`;
      later.push(t);
      lines.push(`\t${chance(0.75) || opts.kconfiglibSafe ? 'select' : 'imply'} ${t}${chance(0.4) ? ` if ${atom()}` : ''}`);
    }
    if (chance(0.2)) lines.push('\thelp', `\t  Help for ${name}.`);
    lines.push('');
    syms.push({ name, type });
    i++;
  }
  while (open.length) lines.push(open.pop() === 'menu' ? 'endmenu' : 'endif', '');
  // Declare select/imply targets that were never generated, so they have a type.
  const defined = new Set(syms.map((s) => s.name));
  for (const t of later) {
    if (defined.has(t)) continue;
    defined.add(t);
    lines.push(`config ${t}`, `\t${chance(0.5) ? 'tristate' : 'bool'}${chance(0.5) ? ` "Late ${t}"` : ''}`, '');
    syms.push({ name: t, type: 'bool' });
  }
  // Replace select/imply of non-bool targets by a bool helper: keep the tree valid.
  const typeOf = new Map(syms.map((s) => [s.name, s.type]));
  const kconfig = lines
    .map((l) => {
      const m = /^\t(select|imply) (\S+)(.*)$/.exec(l);
      if (m && typeOf.get(m[2]!) !== 'bool' && typeOf.get(m[2]!) !== 'tristate') return `\t# ${m[1]} of non-bool ${m[2]} dropped`;
      return l;
    })
    .join('\n');
  const cfg: string[] = [];
  for (const s of syms) {
    if (!chance(0.35)) continue;
    switch (s.type) {
      case 'bool':
        cfg.push(chance(0.5) ? `CONFIG_${s.name}=y` : `# CONFIG_${s.name} is not set`);
        break;
      case 'tristate':
        cfg.push(pick([`CONFIG_${s.name}=y`, `CONFIG_${s.name}=m`, `# CONFIG_${s.name} is not set`]));
        break;
      case 'int':
        cfg.push(`CONFIG_${s.name}=${opts.kconfiglibSafe ? 5 + Math.floor(r() * 5) : chance(0.9) ? Math.floor(r() * 50) - 5 : 'x1'}`);
        break;
      case 'hex':
        cfg.push(`CONFIG_${s.name}=${chance(0.5) ? '0x' : ''}${(opts.kconfiglibSafe ? 0x20 + Math.floor(r() * 0x60) : Math.floor(r() * 8192)).toString(16)}`);
        break;
      case 'string':
        cfg.push(`CONFIG_${s.name}="user \\\\ ${s.name}"`);
        break;
    }
  }
  if (chance(0.5)) cfg.push('CONFIG_NOT_DEFINED_ANYWHERE=y');
  return { kconfig: kconfig + '\n', config: cfg.join('\n') + '\n', names: syms.map((s) => s.name) };
}
