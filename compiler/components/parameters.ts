import { readBytes } from '../fs/files.js';
import { dirname, resolve } from 'node:path';
import type { ComponentParameter } from '../../schemas/component.js';
import type { DtNode, DtTree } from '../dts/tree.js';
import { asString, asU32Array, getProperty, resolvePhandle } from '../dts/values.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import type { Interrupt } from '../../schemas/model.js';
import type { Component } from './catalogue.js';
import { componentMessages as M } from './messages.js';
import { withArticle } from '../util/text.js';

/** One parameter of one instance, as the generated parameter block holds it. */
export type ParameterValue =
  | { name: string; type: 'u32' | 'u64' | 'flag' | 'clock' | 'mac'; value: bigint }
  | { name: string; type: 'string'; value: string }
  | { name: string; type: 'file'; path: string; bytes: Uint8Array }
  /** Paths of the nodes of other device instances (resolved to their hv_device by codegen). */
  | { name: string; type: 'devices'; paths: string[] }
  /** A host instance's node (resolved to its hv_host_device by codegen), or none. */
  | { name: string; type: 'host-device'; path?: string }
  /** A board device: its window and interrupt are filled in by the layout from the board model. */
  | { name: string; type: 'board-device'; path?: string; base?: bigint; size?: bigint; irq?: number }
  | { name: string; type: 'interrupt'; id: bigint; flags: bigint };

/** An interrupt parameter's number when the node has no interrupt. */
export const NO_INTERRUPT = (1n << 64n) - 1n;

function cellsNumber(node: DtNode, property: string): bigint | undefined {
  const p = getProperty(node, property);
  const cells = p ? asU32Array(p) : undefined;
  if (!cells || cells.length === 0 || cells.length > 2) return undefined;
  return cells.reduce((a, c) => (a << 32n) | BigInt(c), 0n);
}

/** A node's clock rate: its clock-frequency, else that of the node its first `clocks` phandle names. */
function clockRate(tree: DtTree, node: DtNode, property: string): bigint | undefined {
  const direct = cellsNumber(node, property);
  if (direct !== undefined) return direct;
  const clocks = getProperty(node, 'clocks');
  const first = clocks ? asU32Array(clocks)?.[0] : undefined;
  const clock = first !== undefined ? resolvePhandle(tree, first) : undefined;
  return clock ? cellsNumber(clock, 'clock-frequency') : undefined;
}

function readOne(tree: DtTree, node: DtNode, p: ComponentParameter, component: Component, interrupts: readonly Interrupt[], diagnostics: Diagnostic[]): ParameterValue | undefined {
  const prop = getProperty(node, p.property);
  const wrong = (expected: string) => {
    diagnostics.push(
      diagnostic(M.parameterInvalid, `${node.path}: '${p.property}' must be ${expected} (parameter '${p.name}' of component '${component.manifest.name}')`, prop?.valueSpan ?? prop?.span ?? node.span),
    );
    return undefined;
  };
  const fallback = (): ParameterValue | undefined => {
    // No devices named is a list of none; no host or board device is none.
    if (p.type === 'devices') return { name: p.name, type: 'devices', paths: [] };
    if (p.type === 'host-device' || p.type === 'board-device') {
      if (p.default === undefined) {
        diagnostics.push(diagnostic(M.parameterInvalid, `${node.path} needs ${withArticle(`'${p.property}'`)} property (parameter '${p.name}' of component '${component.manifest.name}')`, node.span));
        return undefined;
      }
      return { name: p.name, type: p.type };
    }
    if (p.default === undefined) {
      diagnostics.push(
        diagnostic(M.parameterInvalid, `${node.path} needs ${withArticle(`'${p.property}'`)} property (parameter '${p.name}' of component '${component.manifest.name}')`, node.span, {
          notes: p.description ? [`${p.property}: ${p.description}`] : [],
        }),
      );
      return undefined;
    }
    if (p.type === 'string') return { name: p.name, type: 'string', value: String(p.default) };
    if (p.type === 'file') return wrong('given: a file parameter has no default');
    if (p.type === 'interrupt') return { name: p.name, type: 'interrupt', id: BigInt(p.default), flags: 0n };
    return { name: p.name, type: p.type, value: BigInt(p.default) };
  };
  switch (p.type) {
    case 'interrupt': {
      // Decoded by the model through the controller's binding; one it could not decode is reported there.
      const first = interrupts.find((i) => i.problem === undefined);
      if (first) return { name: p.name, type: 'interrupt', id: BigInt(first.id), flags: BigInt(first.flags) };
      return { name: p.name, type: 'interrupt', id: p.default !== undefined ? BigInt(p.default) : NO_INTERRUPT, flags: 0n };
    }
    case 'flag':
      return { name: p.name, type: 'flag', value: prop ? 1n : p.default !== undefined ? BigInt(p.default) : 0n };
    case 'clock': {
      const rate = clockRate(tree, node, p.property);
      if (rate === undefined) return prop ? wrong('a number of one or two cells') : fallback();
      return { name: p.name, type: 'clock', value: rate };
    }
    case 'u32':
    case 'u64': {
      if (!prop) return fallback();
      const v = cellsNumber(node, p.property);
      if (v === undefined || (p.type === 'u32' && v > 0xffff_ffffn)) return wrong(p.type === 'u32' ? 'one 32-bit cell' : 'a number of one or two cells');
      return { name: p.name, type: p.type, value: v };
    }
    case 'string': {
      if (!prop) return fallback();
      const v = asString(prop);
      return v === undefined ? wrong('a string') : { name: p.name, type: 'string', value: v };
    }
    case 'mac': {
      if (!prop) return fallback();
      const bytes = prop.chunks.length === 1 && prop.chunks[0]!.kind === 'bytes' ? prop.chunks[0]!.value : undefined;
      if (!bytes || bytes.length !== 6) return wrong('six bytes, e.g. [52 54 00 12 34 56]');
      return { name: p.name, type: 'mac', value: [...bytes].reduce((a, b) => (a << 8n) | BigInt(b), 0n) };
    }
    case 'host-device':
    case 'board-device': {
      if (!prop) return fallback();
      const cells = asU32Array(prop);
      const target = cells?.length === 1 ? resolvePhandle(tree, cells[0]!) : undefined;
      if (!target) return wrong('one phandle');
      return { name: p.name, type: p.type, path: target.path };
    }
    case 'devices': {
      if (!prop) return fallback();
      const cells = asU32Array(prop);
      const nodes = cells?.map((c) => resolvePhandle(tree, c));
      if (!nodes || nodes.some((n) => !n)) return wrong('phandles of device nodes');
      return { name: p.name, type: 'devices', paths: nodes.map((n) => n!.path) };
    }
    case 'file': {
      if (!prop) return fallback();
      const written = asString(prop);
      if (written === undefined) return wrong('a string: a file path');
      const path = resolve(dirname(prop.span.file), written);
      const read = readBytes(path, { what: `the file of ${node.path}:${p.property}`, written, span: prop.valueSpan ?? prop.span });
      if (!read.ok) {
        diagnostics.push(read.diagnostic);
        return undefined;
      }
      return { name: p.name, type: 'file', path, bytes: read.value };
    }
  }
}

/**
 * The parameter block of one instance of `component` at `node`, in manifest order. `interrupts` are the
 * node's, as the model decoded them (for interrupt parameters).
 */
export function readParameters(tree: DtTree, node: DtNode, component: Component, interrupts: readonly Interrupt[] = []): { values: ParameterValue[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const values: ParameterValue[] = [];
  for (const p of component.manifest.parameters) {
    const v = readOne(tree, node, p, component, interrupts, diagnostics);
    if (v) values.push(v);
  }
  return { values, diagnostics };
}

/** The C type name of a component's parameter block: `struct uart_emulator_params` for a component named uart-emulator. */
export function parameterStructName(component: Component): string {
  return `${component.manifest.name.replace(/-/g, '_')}_params`;
}

/** The generated header declaring a component's parameter block: <params/NAME.h>. */
export function parameterHeader(component: Component): string {
  const guard = `PARAMS_${component.manifest.name.replace(/-/g, '_').toUpperCase()}_H`;
  const fields = component.manifest.parameters.flatMap((p) => {
    const comment = `\t/* ${p.property}${p.description ? ': ' + p.description.replace(/\*\//g, '* /') : ''} */`;
    if (p.type === 'string') return [comment, `\tconst char *${p.name};`];
    if (p.type === 'file') return [comment, `\tconst u8 *${p.name};`, `\tu64 ${p.name}_size;`];
    if (p.type === 'devices') return [comment, `\tconst struct hv_device *const *${p.name};`, `\tu64 ${p.name}_count;`];
    if (p.type === 'host-device') return [comment, `\tconst struct hv_host_device *${p.name};`];
    if (p.type === 'board-device') return [comment, `\tu64 ${p.name}_base;`, `\tu64 ${p.name}_size;`, `\tu64 ${p.name}_irq;`];
    if (p.type === 'interrupt') return [comment, `\tu64 ${p.name};\t\t/* the controller's number, ~0 for none */`, `\tu64 ${p.name}_flags;\t/* HV_IRQ_* trigger */`];
    return [comment, `\tu64 ${p.name};`];
  });
  return [
    `/* Generated by hvcc from ${component.manifestPath} ("parameters"); do not edit. */`,
    `#ifndef ${guard}`,
    `#define ${guard}`,
    '',
    '#include <hv/types.h>',
    '',
    'struct hv_device;',
    'struct hv_host_device;',
    '',
    `struct ${parameterStructName(component)} {`,
    ...fields,
    '};',
    '',
    `#endif /* ${guard} */`,
    '',
  ].join('\n');
}
