import type { Span } from '../diagnostics/span.js';
import type { DtValueChunk } from './tree.js';

export interface AstLabel {
  name: string;
  span: Span;
}

/** A label inside a value: before chunk `chunk` (item `item` of a cells chunk), or at the end when chunk === chunks.length. */
export interface AstValueLabel extends AstLabel {
  chunk: number;
  item?: number;
}

export interface AstValue {
  chunks: DtValueChunk[];
  labels: AstValueLabel[];
  span: Span;
}

export interface AstProp {
  kind: 'prop';
  name: string;
  span: Span;
  labels: AstLabel[];
  value?: AstValue;
}

export interface AstDelProp {
  kind: 'delprop';
  name: string;
  span: Span;
}

export interface AstNode {
  kind: 'node';
  name: string;
  span: Span;
  labels: AstLabel[];
  omit: boolean;
  body: AstBody;
}

export interface AstDelNode {
  kind: 'delnode';
  name: string;
  span: Span;
}

export interface AstBody {
  props: (AstProp | AstDelProp)[];
  children: (AstNode | AstDelNode)[];
  span: Span;
}

export type AstTop =
  | { kind: 'root'; body: AstBody; span: Span }
  | { kind: 'ref'; label?: AstLabel; ref: string; refSpan: Span; body: AstBody }
  | { kind: 'delnode-ref'; ref: string; refSpan: Span }
  | { kind: 'omit-ref'; ref: string; refSpan: Span };

export interface AstMemReserve {
  labels: AstLabel[];
  address: bigint;
  size: bigint;
  span: Span;
}

export interface AstFile {
  plugin: boolean;
  memreserves: AstMemReserve[];
  items: AstTop[];
}
