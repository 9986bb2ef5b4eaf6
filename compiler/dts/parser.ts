import {
  EmbeddedActionsParser,
  EOF,
  tokenLabel,
  type ILookaheadStrategy,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
  LLkLookaheadStrategy,
} from 'chevrotain';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import type { Span } from '../diagnostics/span.js';
import type {
  AstBody,
  AstDelNode,
  AstDelProp,
  AstFile,
  AstLabel,
  AstNode,
  AstProp,
  AstTop,
  AstValue,
} from './ast.js';
import type { DtsToken } from './lexer.js';
import { escapeChar } from './lexer.js';
import { M } from './messages.js';
import { notFoundDiagnostic, type SourceLoader } from './source.js';
import type { DtCell } from './tree.js';
import * as T from './tokens.js';

const MASK64 = (1n << 64n) - 1n;

/** A token as messages show it: its first line, elided when it has more or is long (a string can span lines). */
export function shownToken(image: string): string {
  const first = image.split('\n')[0]!;
  return first.length > 40 ? `${first.slice(0, 37)}...` : first !== image ? `${first}...` : image;
}

const describe = (tok: IToken): string => (tok.tokenType === EOF ? 'end of input' : `'${shownToken(tok.image)}'`);

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `syntax error: expected ${tokenLabel(expected)} but found ${describe(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `syntax error: unexpected ${describe(firstRedundant)}`;
  },
  buildNoViableAltMessage({ actual }) {
    const tok = actual[0];
    return `syntax error: unexpected ${tok ? describe(tok) : 'input'}`;
  },
  buildEarlyExitMessage({ actual }) {
    const tok = actual[0];
    return `syntax error: unexpected ${tok ? describe(tok) : 'input'}`;
  },
};

interface Num {
  v: bigint;
  span: Span;
}

const NO_SPAN: Span = { file: '', start: { line: 0, column: 0, offset: -1 }, end: { line: 0, column: 0, offset: -1 } };
const txt = (t: IToken): string => (t as DtsToken).text ?? '';
const bytesOf = (t: IToken): Uint8Array => (t as DtsToken).bytes ?? new Uint8Array(0);

/** Parses literal text like strtoull(s, &e, 0) followed by dtc's suffix check. */
export function evalLiteral(text: string): { value: bigint; error?: 'bad' | 'range' } {
  let i = 0;
  let base = 10n;
  let digits = '0123456789';
  if (text[0] === '0' && (text[1] === 'x' || text[1] === 'X') && /[0-9a-fA-F]/.test(text[2] ?? '')) {
    base = 16n;
    digits = '0123456789abcdef';
    i = 2;
  } else if (text[0] === '0') {
    base = 8n;
    digits = '01234567';
  }
  let v = 0n;
  let overflow = false;
  const start = i;
  for (; i < text.length; i++) {
    const d = digits.indexOf(text[i]!.toLowerCase());
    if (d < 0) break;
    v = v * base + BigInt(d);
    if (v > MASK64) overflow = true;
  }
  if (i === start && base !== 8n) return { value: 0n, error: 'bad' };
  const rest = text.slice(i);
  if (rest && !/^[UL]*$/.test(rest)) return { value: overflow ? MASK64 : v, error: 'bad' };
  if (overflow) return { value: MASK64, error: 'range' };
  return { value: v };
}

/**
 * Chevrotain's LL(k) lookahead, each decision's function built the first time the parser reaches it rather
 * than all of them when the parser is made: a description reaches part of the grammar, and building every
 * function was a third of the parser's construction, paid by every command.
 */
class LazyLookahead extends LLkLookaheadStrategy {
  override buildLookaheadForAlternation(options: Parameters<ILookaheadStrategy['buildLookaheadForAlternation']>[0]): ReturnType<ILookaheadStrategy['buildLookaheadForAlternation']> {
    let made: ReturnType<ILookaheadStrategy['buildLookaheadForAlternation']> | undefined;
    const build = () => super.buildLookaheadForAlternation(options);
    return function (this: unknown, orAlts) {
      return (made ??= build()).call(this, orAlts);
    };
  }

  override buildLookaheadForOptional(options: Parameters<ILookaheadStrategy['buildLookaheadForOptional']>[0]): ReturnType<ILookaheadStrategy['buildLookaheadForOptional']> {
    let made: ReturnType<ILookaheadStrategy['buildLookaheadForOptional']> | undefined;
    const build = () => super.buildLookaheadForOptional(options);
    return function (this: unknown) {
      return (made ??= build()).call(this);
    };
  }
}

export class DtsParser extends EmbeddedActionsParser {
  diags: Diagnostic[] = [];
  loader!: SourceLoader;
  /** The last real token's span: tokens Chevrotain inserts while recovering have none, so they borrow it. */
  private lastSpan: Span = NO_SPAN;

  /** Makes the parser ready for `tokens`, forgetting everything about an earlier parse. */
  prepare(tokens: DtsToken[], loader: SourceLoader, diags: Diagnostic[]): void {
    this.lastSpan = NO_SPAN;
    this.diags = diags;
    this.loader = loader;
    this.input = tokens;
  }

  private sp(t: IToken | undefined): Span {
    const s = (t as DtsToken | undefined)?.span;
    if (s) this.lastSpan = s;
    return s ?? this.lastSpan;
  }

  private join(a: Span | undefined, b: Span | undefined): Span {
    if (!a) return b ?? this.lastSpan;
    if (!b) return a;
    return a.file === b.file && a.start.offset <= b.start.offset ? { file: a.file, start: a.start, end: b.end } : a;
  }

  /**
   * `validateGrammar`: run chevrotain's checks of the grammar itself (ambiguities, left recursion) while
   * building the parser. They find nothing in a grammar that passed them once and cost a quarter of the
   * parser's construction, so hvcc skips them; a unit test (test/unit/dts/grammar.test.ts) runs them.
   */
  constructor(options: { validateGrammar?: boolean } = {}) {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: messages, skipValidations: !options.validateGrammar, lookaheadStrategy: new LazyLookahead({ maxLookahead: 3 }) });
    this.performSelfAnalysis();
  }

  private err(def: (typeof M)[keyof typeof M], msg: string, span: Span): void {
    this.diags.push(diagnostic(def, msg, span));
  }

  public file = this.RULE('file', (): AstFile => {
    const file: AstFile = { plugin: false, memreserves: [], items: [] };
    this.AT_LEAST_ONE(() => {
      this.CONSUME(T.V1);
      this.CONSUME(T.Semi);
      this.OPTION(() => {
        this.CONSUME(T.Plugin);
        this.CONSUME2(T.Semi);
        this.ACTION(() => (file.plugin = true));
      });
    });
    let seenTree = false;
    this.MANY(() => {
      const labels: AstLabel[] = [];
      this.MANY2(() => {
        const l = this.CONSUME(T.Label);
        this.ACTION(() => labels.push({ name: txt(l), span: this.sp(l) }));
      });
      this.OR([
        {
          ALT: () => {
            const kw = this.CONSUME(T.MemReserve);
            const a = this.SUBRULE(this.intPrim);
            const s = this.SUBRULE2(this.intPrim);
            const semi = this.CONSUME3(T.Semi);
            this.ACTION(() => {
              if (seenTree) this.err(M.syntaxError, "syntax error: /memreserve/ after the tree", this.sp(kw));
              file.memreserves.push({ labels, address: a?.v ?? 0n, size: s?.v ?? 0n, span: this.join(this.sp(kw), this.sp(semi)) });
            });
          },
        },
        {
          ALT: () => {
            const slash = this.CONSUME(T.Slash);
            const body = this.SUBRULE(this.nodedef);
            this.ACTION(() => {
              if (labels.length) this.err(M.syntaxError, 'syntax error: a label cannot name the root here', labels[0]!.span);
              seenTree = true;
              if (body) file.items.push({ kind: 'root', body, span: this.sp(slash) });
            });
          },
        },
        {
          ALT: () => {
            const ref = this.CONSUME(T.Ref);
            const body = this.SUBRULE2(this.nodedef);
            this.ACTION(() => {
              if (labels.length > 1) this.err(M.syntaxError, 'syntax error: only one label may be added to a reference', labels[1]!.span);
              seenTree = true;
              const item: AstTop = { kind: 'ref', ref: txt(ref), refSpan: this.sp(ref), body: body ?? emptyBody(this.sp(ref)) };
              if (labels.length) item.label = labels[0]!;
              file.items.push(item);
            });
          },
        },
        {
          ALT: () => {
            const kw = this.CONSUME(T.DelNode);
            const ref = this.CONSUME2(T.Ref);
            this.CONSUME4(T.Semi);
            this.ACTION(() => {
              if (labels.length || !seenTree) this.err(M.syntaxError, 'syntax error: unexpected /delete-node/', this.sp(kw));
              file.items.push({ kind: 'delnode-ref', ref: txt(ref), refSpan: this.sp(ref) });
            });
          },
        },
        {
          ALT: () => {
            const kw = this.CONSUME(T.OmitNoRef);
            const ref = this.CONSUME3(T.Ref);
            this.CONSUME5(T.Semi);
            this.ACTION(() => {
              if (labels.length || !seenTree) this.err(M.syntaxError, 'syntax error: unexpected /omit-if-no-ref/', this.sp(kw));
              file.items.push({ kind: 'omit-ref', ref: txt(ref), refSpan: this.sp(ref) });
            });
          },
        },
      ]);
    });
    return file;
  });

  private nodedef = this.RULE('nodedef', (): AstBody => {
    const open = this.CONSUME(T.LCurly);
    const body: AstBody = { props: [], children: [], span: this.sp(open) };
    this.MANY(() => {
      const labels: AstLabel[] = [];
      let omit: IToken | undefined;
      this.MANY2(() => {
        this.OR([
          {
            ALT: () => {
              const l = this.CONSUME(T.Label);
              this.ACTION(() => labels.push({ name: txt(l), span: this.sp(l) }));
            },
          },
          {
            ALT: () => {
              omit = this.CONSUME(T.OmitNoRef);
            },
          },
        ]);
      });
      this.OR2([
        {
          ALT: () => {
            const kw = this.CONSUME(T.DelProp);
            const name = this.CONSUME(T.PropNodeName);
            this.CONSUME(T.Semi);
            this.ACTION(() => {
              const p: AstDelProp = { kind: 'delprop', name: txt(name), span: this.sp(name) };
              this.addProp(body, p, this.sp(kw), omit);
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.DelNode);
            const name = this.CONSUME2(T.PropNodeName);
            this.CONSUME2(T.Semi);
            this.ACTION(() => {
              const d: AstDelNode = { kind: 'delnode', name: txt(name), span: this.sp(name) };
              body.children.push(d);
            });
          },
        },
        {
          ALT: () => {
            const name = this.CONSUME3(T.PropNodeName);
            this.OR3([
              {
                ALT: () => {
                  const sub = this.SUBRULE(this.nodedef);
                  this.ACTION(() => {
                    const n: AstNode = {
                      kind: 'node',
                      name: txt(name),
                      span: this.sp(name),
                      labels,
                      omit: omit !== undefined,
                      body: sub ?? emptyBody(this.sp(name)),
                    };
                    body.children.push(n);
                  });
                },
              },
              {
                ALT: () => {
                  this.CONSUME(T.Equals);
                  const v = this.SUBRULE(this.propdata);
                  this.CONSUME3(T.Semi);
                  this.ACTION(() => {
                    const p: AstProp = { kind: 'prop', name: txt(name), span: this.sp(name), labels };
                    if (v) p.value = v;
                    this.addProp(body, p, this.sp(name), omit);
                  });
                },
              },
              {
                ALT: () => {
                  this.CONSUME4(T.Semi);
                  this.ACTION(() => {
                    const p: AstProp = { kind: 'prop', name: txt(name), span: this.sp(name), labels };
                    this.addProp(body, p, this.sp(name), omit);
                  });
                },
              },
            ]);
          },
        },
      ]);
    });
    const close = this.CONSUME(T.RCurly);
    this.CONSUME5(T.Semi);
    this.ACTION(() => (body.span = this.join(this.sp(open), this.sp(close))));
    return body;
  });

  private addProp(body: AstBody, p: AstProp | AstDelProp, at: Span, omit: IToken | undefined): void {
    if (omit) this.err(M.syntaxError, 'syntax error: /omit-if-no-ref/ applies to nodes, not properties', this.sp(omit));
    if (body.children.length) this.err(M.propsAfterSubnodes, 'Properties must precede subnodes', at);
    body.props.push(p);
  }

  private propdata = this.RULE('propdata', (): AstValue => {
    const v: AstValue = { chunks: [], labels: [], span: undefined as unknown as Span };
    this.MANY(() => this.SUBRULE(this.valueLabel, { ARGS: [v] }));
    this.SUBRULE(this.value, { ARGS: [v] });
    this.MANY2(() => this.SUBRULE2(this.valueLabel, { ARGS: [v] }));
    this.MANY3(() => {
      this.CONSUME(T.Comma);
      this.MANY4(() => this.SUBRULE3(this.valueLabel, { ARGS: [v] }));
      this.SUBRULE2(this.value, { ARGS: [v] });
      this.MANY5(() => this.SUBRULE4(this.valueLabel, { ARGS: [v] }));
    });
    return v;
  });

  private valueLabel = this.RULE('valueLabel', (v: AstValue): void => {
    const l = this.CONSUME(T.Label);
    this.ACTION(() => v.labels.push({ name: txt(l), span: this.sp(l), chunk: v.chunks.length }));
  });

  private value = this.RULE('value', (v: AstValue): void => {
    const extend = (s: Span) => this.ACTION(() => (v.span = v.span ? this.join(v.span, s) : s));
    this.OR([
      {
        ALT: () => {
          const s = this.CONSUME(T.StringLit);
          this.ACTION(() => {
            const bytes = bytesOf(s);
            v.chunks.push({ kind: 'string', value: Buffer.from(bytes).toString('utf8'), bytes, span: this.sp(s) });
          });
          extend(this.sp(s));
        },
      },
      {
        ALT: () => {
          let bits: 8 | 16 | 32 | 64 = 32;
          let first: IToken | undefined;
          this.OPTION(() => {
            first = this.CONSUME(T.Bits);
            const lit = this.CONSUME(T.Literal);
            this.ACTION(() => {
              const r = this.literal(lit);
              if (r === 8n || r === 16n || r === 32n || r === 64n) bits = Number(r) as 8 | 16 | 32 | 64;
              else this.err(M.badBits, 'Array elements must be 8, 16, 32 or 64-bits', this.sp(lit));
            });
          });
          const open = this.CONSUME(T.LAngle);
          const items: DtCell[] = [];
          const chunkIndex = this.ACTION(() => v.chunks.length);
          this.MANY(() => {
            this.OR2([
              {
                ALT: () => {
                  const n = this.SUBRULE(this.intPrim);
                  this.ACTION(() => {
                    if (!n) return;
                    let val = n.v;
                    if (bits < 64) {
                      const mask = (1n << BigInt(bits)) - 1n;
                      if (val > mask && (val | mask) !== MASK64)
                        this.err(M.valueOutOfRange, `Value out of range for ${bits}-bit array element`, n.span);
                      val &= mask;
                    }
                    items.push({ value: val, span: n.span });
                  });
                },
              },
              {
                ALT: () => {
                  const r = this.CONSUME(T.Ref);
                  this.ACTION(() => {
                    if (bits !== 32) this.err(M.refInNon32, 'References are only allowed in arrays with 32-bit elements.', this.sp(r));
                    else items.push({ value: 0xffffffffn, ref: txt(r), span: this.sp(r) });
                  });
                },
              },
              {
                ALT: () => {
                  const l = this.CONSUME(T.Label);
                  this.ACTION(() =>
                    v.labels.push({ name: txt(l), span: this.sp(l), chunk: chunkIndex, item: items.length }),
                  );
                },
              },
            ]);
          });
          const close = this.CONSUME(T.RAngle);
          this.ACTION(() => {
            const span = this.join(this.sp(first ?? open), this.sp(close));
            v.chunks.push({ kind: 'cells', bits, items, span });
            v.span = v.span ? this.join(v.span, span) : span;
          });
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME(T.LSquare);
          const bytes: number[] = [];
          const chunkIndex = this.ACTION(() => v.chunks.length);
          this.MANY2(() => {
            this.OR3([
              {
                ALT: () => {
                  const b = this.CONSUME(T.Byte);
                  this.ACTION(() => bytes.push((((b as DtsToken).byte) ?? 0)));
                },
              },
              {
                ALT: () => {
                  const l = this.CONSUME2(T.Label);
                  // A label inside a bytestring: chunk boundary is not split, record the byte index as item.
                  this.ACTION(() =>
                    v.labels.push({ name: txt(l), span: this.sp(l), chunk: chunkIndex, item: bytes.length }),
                  );
                },
              },
            ]);
          });
          const close = this.CONSUME(T.RSquare);
          this.ACTION(() => {
            const span = this.join(this.sp(open), this.sp(close));
            v.chunks.push({ kind: 'bytes', value: Uint8Array.from(bytes), span });
            v.span = v.span ? this.join(v.span, span) : span;
          });
        },
      },
      {
        ALT: () => {
          const r = this.CONSUME2(T.Ref);
          this.ACTION(() => {
            v.chunks.push({ kind: 'path-ref', target: txt(r), path: '', span: this.sp(r) });
          });
          extend(this.sp(r));
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(T.Incbin);
          this.CONSUME(T.LParen);
          const name = this.CONSUME2(T.StringLit);
          let off: Num | undefined;
          let len: Num | undefined;
          this.OPTION2(() => {
            this.CONSUME(T.Comma);
            off = this.SUBRULE2(this.intPrim);
            this.CONSUME2(T.Comma);
            len = this.SUBRULE3(this.intPrim);
          });
          const close = this.CONSUME(T.RParen);
          this.ACTION(() => {
            const span = this.join(this.sp(kw), this.sp(close));
            v.span = v.span ? this.join(v.span, span) : span;
            const fname = Buffer.from(bytesOf(name)).toString('latin1');
            // dtc opens the file when it reduces the rule, after ')' and before the next token.
            this.loader.position = ((close as DtsToken).index ?? -1) + 0.5;
            const found = this.loader.resolveBinary(fname, this.sp(name).file);
            if (!('data' in found)) {
              this.diags.push(notFoundDiagnostic(found, fname, this.sp(name), '/incbin/'));
              return;
            }
            let data = found.data;
            if (off || len) {
              const o = off?.v ?? 0n;
              const l = len?.v ?? 0n;
              // dtc: fseek to the offset (fails only for offsets that are negative as a long), then read up to
              // `length` bytes (-1: to the end); reading past the end just gives fewer bytes.
              if (o >= 1n << 63n) {
                this.err(M.incbinRange, `Couldn't seek to offset ${o} in "${fname}": Invalid argument`, span);
                return;
              }
              const start = o > BigInt(data.length) ? data.length : Number(o);
              const end = l === MASK64 || BigInt(start) + l > BigInt(data.length) ? data.length : start + Number(l);
              data = data.subarray(start, end);
            }
            v.chunks.push({ kind: 'bytes', value: new Uint8Array(data), span });
          });
        },
      },
    ]);
  });

  private literal(tok: IToken): bigint {
    const text = (tok as DtsToken).text ?? tok.image;
    const r = evalLiteral(text);
    if (r.error === 'bad') this.err(M.badIntegerLiteral, `Bad integer literal '${text}'`, this.sp(tok));
    else if (r.error === 'range') this.err(M.integerOutOfRange, `Integer literal '${text}' out of range`, this.sp(tok));
    return r.value;
  }

  private charLiteral(tok: IToken): bigint {
    const body = (tok as DtsToken).text ?? '';
    const bytes: number[] = [];
    for (let k = 0; k < body.length; ) {
      if (body.charCodeAt(k) === 92) {
        const r = escapeChar(body, k + 1);
        if (!r) {
          this.err(M.badEscape, '\\x used with no following hex digits', this.sp(tok));
          bytes.push(0);
          k += 2;
          continue;
        }
        bytes.push(r[0]);
        k = r[1];
      } else bytes.push(body.charCodeAt(k++) & 0xff);
    }
    if (bytes.length === 0) {
      this.err(M.badCharLiteral, 'Empty character literal', this.sp(tok));
      return 0n;
    }
    if (bytes.length > 1)
      this.err(M.badCharLiteral, `Character literal has ${bytes.length} characters instead of 1`, this.sp(tok));
    return BigInt(bytes[0]!);
  }

  private intPrim = this.RULE('intPrim', (): Num => {
    return this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(T.Literal);
          return this.ACTION(() => ({ v: this.literal(t), span: this.sp(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.CharLiteral);
          return this.ACTION(() => ({ v: this.charLiteral(t), span: this.sp(t) }));
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME(T.LParen);
          const e = this.SUBRULE(this.expr);
          const close = this.CONSUME(T.RParen);
          return this.ACTION(() => ({ v: e?.v ?? 0n, span: this.join(this.sp(open), this.sp(close)) }));
        },
      },
    ]);
  });

  private expr: (idx?: number) => Num = this.RULE('expr', (): Num => {
    const c = this.SUBRULE(this.orExpr);
    let result = c;
    this.OPTION(() => {
      this.CONSUME(T.Question);
      const a = this.SUBRULE(this.expr);
      this.CONSUME(T.Colon);
      const b = this.SUBRULE2(this.expr);
      this.ACTION(() => {
        const chosen = (c?.v ?? 0n) !== 0n ? a : b;
        result = { v: chosen?.v ?? 0n, span: this.join(c?.span, b?.span) };
      });
    });
    return result;
  });

  private binary(
    name: string,
    ops: TokenType[],
    next: () => Num,
    apply: (op: TokenType, a: bigint, b: bigint, span: Span) => bigint,
  ): () => Num {
    return this.RULE(name, (): Num => {
      let left = this.SUBRULE(next as never) as Num;
      this.MANY(() => {
        const op = this.OR(ops.map((tt) => ({ ALT: () => this.CONSUME(tt) })));
        const right = this.SUBRULE2(next as never) as Num;
        this.ACTION(() => {
          if (!left || !right) return;
          const span = this.join(left.span, right.span);
          left = { v: apply(op.tokenType, left.v, right.v, span) & MASK64, span };
        });
      });
      return left;
    });
  }

  private unary: () => Num = this.RULE('unary', (): Num => {
    return this.OR([
      {
        ALT: () => {
          const op = this.OR2([
            { ALT: () => this.CONSUME(T.Minus) },
            { ALT: () => this.CONSUME(T.Tilde) },
            { ALT: () => this.CONSUME(T.Bang) },
          ]);
          const x = this.SUBRULE(this.unary);
          return this.ACTION(() => {
            const v = x?.v ?? 0n;
            const span = this.join(this.sp(op), x?.span ?? this.sp(op));
            if (op.tokenType === T.Minus) return { v: (-v) & MASK64, span };
            if (op.tokenType === T.Tilde) return { v: ~v & MASK64, span };
            return { v: v === 0n ? 1n : 0n, span };
          });
        },
      },
      { ALT: () => this.SUBRULE(this.intPrim) },
    ]);
  });

  private mulExpr = this.binary('mulExpr', [T.Star, T.Slash, T.Percent], this.unary, (op, a, b, span) => {
    if (op === T.Star) return a * b;
    if (b === 0n) {
      this.err(M.divisionByZero, 'Division by zero', span);
      return 0n;
    }
    return op === T.Slash ? a / b : a % b;
  });
  private addExpr = this.binary('addExpr', [T.Plus, T.Minus], this.mulExpr, (op, a, b) => (op === T.Plus ? a + b : a - b));
  private shiftExpr = this.binary('shiftExpr', [T.LShift, T.RShift], this.addExpr, (op, a, b) =>
    b >= 64n ? 0n : op === T.LShift ? a << b : a >> b,
  );
  private relExpr = this.binary('relExpr', [T.LAngle, T.RAngle, T.LE, T.GE], this.shiftExpr, (op, a, b) =>
    (op === T.LAngle ? a < b : op === T.RAngle ? a > b : op === T.LE ? a <= b : a >= b) ? 1n : 0n,
  );
  private eqExpr = this.binary('eqExpr', [T.EqEq, T.NE], this.relExpr, (op, a, b) =>
    (op === T.EqEq ? a === b : a !== b) ? 1n : 0n,
  );
  private bandExpr = this.binary('bandExpr', [T.Amp], this.eqExpr, (_op, a, b) => a & b);
  private bxorExpr = this.binary('bxorExpr', [T.Caret], this.bandExpr, (_op, a, b) => a ^ b);
  private borExpr = this.binary('borExpr', [T.Pipe], this.bxorExpr, (_op, a, b) => a | b);
  private andExpr = this.binary('andExpr', [T.AndAnd], this.borExpr, (_op, a, b) => (a !== 0n && b !== 0n ? 1n : 0n));
  private orExpr = this.binary('orExpr', [T.OrOr], this.andExpr, (_op, a, b) => (a !== 0n || b !== 0n ? 1n : 0n));
}

function emptyBody(span: Span): AstBody {
  return { props: [], children: [], span };
}

/** Where an /include/ directive stood, and the index of the first token it brought in. */
export interface IncludeSite {
  span: Span;
  firstToken: number;
}

/**
 * A source must start with /dts-v1/; — said of the entry file itself (at its first token, or at the
 * /include/ that comes before it), not as a syntax error in whatever file's tokens come first.
 */
function checkVersion(tokens: DtsToken[], entry: string, includes: readonly IncludeSite[], diags: Diagnostic[], fileEnd: () => Span): boolean {
  const first = tokens[0];
  const name = entry.slice(entry.lastIndexOf('/') + 1);
  if (!first) {
    diags.push(diagnostic(M.missingV1, `'${name}' is empty: a device-tree source starts with '/dts-v1/;'`, fileEnd(), { help: "write '/dts-v1/;' on its first line" }));
    return false;
  }
  if (first.tokenType === T.V1) return true;
  const site = first.span.file === entry ? undefined : includes.find((inc) => inc.firstToken === 0 && inc.span.file === entry);
  const span = site?.span ?? first.span;
  const what = site ? `its first /include/ comes before it` : `it starts with ${describe(first)}`;
  diags.push(diagnostic(M.missingV1, `'${name}' does not start with '/dts-v1/;': ${what}`, span, { help: "write '/dts-v1/;' on the first line of the file, before any /include/" }));
  // Parse on as if it were there, so the rest of the file is checked too.
  const at = span.start;
  const fake = (tt: TokenType, image: string): DtsToken => ({ ...first, image, tokenType: tt, tokenTypeIdx: tt.tokenTypeIdx!, span: { file: span.file, start: at, end: at } });
  tokens.unshift(fake(T.V1, '/dts-v1/'), fake(T.Semi, ';'));
  return true;
}

/**
 * How deep nodes, and parentheses in an expression, may nest: real trees nest a dozen levels (Linux
 * unflattens a blob at most 64 deep), expressions a few. The limits keep the stack of every pass that
 * recurses safe with room to spare: a level of parentheses costs a dozen grammar rules.
 */
export const MAX_NODE_NESTING = 128;
export const MAX_PAREN_NESTING = 64;

/**
 * Nodes or parentheses nested beyond their limit, said at the brace or parenthesis that goes past it: the
 * parser and the passes after it recurse once per level, and a generated source thousands of levels deep
 * would exhaust the stack.
 */
function checkNesting(tokens: readonly DtsToken[], diags: Diagnostic[]): boolean {
  let braces = 0;
  let parens = 0;
  for (const t of tokens) {
    const tt = t.tokenType;
    if (tt === T.LCurly || tt === T.LParen) {
      const depth = tt === T.LCurly ? ++braces : ++parens;
      const limit = tt === T.LCurly ? MAX_NODE_NESTING : MAX_PAREN_NESTING;
      if (depth > limit) {
        const what = tt === T.LCurly ? 'nodes nested' : 'parentheses nested';
        diags.push(diagnostic(M.nestedTooDeeply, `${what} more than ${limit} deep: hvcc does not process a source this deep`, t.span, { help: tt === T.LCurly ? 'a device tree nests a dozen levels or so; was this source generated by a loop gone wrong?' : 'split the expression, or drop parentheses that group nothing' }));
        return false;
      }
    } else if (tt === T.RCurly) {
      braces = Math.max(0, braces - 1);
    } else if (tt === T.RParen) {
      parens = Math.max(0, parens - 1);
    }
  }
  return true;
}

/**
 * Parses a token vector; syntax errors (several per run, thanks to Chevrotain's recovery) go to diags.
 * Building a parser costs some 30 ms (Chevrotain analyses the grammar), so a caller that parses many sources
 * passes one to reuse; the parser keeps nothing from one parse to the next.
 */
export function parseTokens(
  tokens: DtsToken[],
  loader: SourceLoader,
  diags: Diagnostic[],
  entry = '',
  includes: readonly IncludeSite[] = [],
  parser?: DtsParser,
): AstFile | undefined {
  const fileEnd = (): Span => {
    const text = loader.sources.get(entry) ?? '';
    let line = 1;
    let ls = 0;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) (line++, (ls = i + 1));
    const p = { line, column: text.length - ls + 1, offset: text.length };
    return { file: entry, start: p, end: p };
  };
  if (!checkVersion(tokens, entry, includes, diags, fileEnd) || !checkNesting(tokens, diags)) return undefined;
  const p = parser ?? new DtsParser();
  p.prepare(tokens, loader, diags);
  const result = p.file();
  const last = tokens[tokens.length - 1];
  const seen = new Set<string>();
  let count = 0;
  for (const e of p.errors) {
    const tok = e.token as DtsToken;
    let span: Span | undefined = tok.span;
    if (!span || tok.tokenType === EOF) {
      span = last ? { file: last.span.file, start: last.span.end, end: last.span.end } : fileEnd();
    }
    let message = e.message;
    let help: string | undefined;
    // A ';' missing at the end of a line is found only at the next token, often lines later: say it where
    // it is missing, right after the last token of that line.
    const prev = (e as { previousToken?: DtsToken }).previousToken;
    if (message.startsWith("syntax error: expected ';'") && prev?.span && prev.tokenType !== EOF && (tok.tokenType === EOF || !tok.span || tok.span.file !== prev.span.file || tok.span.start.line > prev.span.end.line)) {
      span = { file: prev.span.file, start: prev.span.end, end: prev.span.end };
      message = "syntax error: missing ';' at the end of the line";
      help = tok.tokenType === EOF || !tok.span ? "a property or node ends with ';' (the file ends here)" : `a property or node ends with ';' (the next token is ${describe(tok)}, on line ${tok.span.start.line})`;
    }
    const key = span ? `${span.file}:${span.start.offset}:${span.start.line}:${span.start.column}` : message;
    if (seen.has(key)) continue;
    seen.add(key);
    if (++count > 50) break;
    // A string that runs over several lines before the error is most likely one whose closing '"' is
    // missing (dtc's strings may span lines, so the lexer took everything up to the next '"').
    const related: { span: Span; message: string }[] = [];
    let before = -1;
    if (span) for (let i = 0; i < tokens.length; i++) if (tokens[i]!.span?.file === span.file && tokens[i]!.span!.end.offset <= span.start.offset) before = i;
    for (let i = before; i >= 0 && i > before - 64; i--) {
      const t = tokens[i]!;
      if (t.tokenType !== T.StringLit || !t.span || !span || t.span.file !== span.file || t.span.end.line === t.span.start.line) continue;
      const first = { file: t.span.file, start: t.span.start, end: { line: t.span.start.line, column: t.span.start.column + 1, offset: t.span.start.offset + 1 } };
      related.push({ span: first, message: `this string runs over ${t.span.end.line - t.span.start.line + 1} lines, to line ${t.span.end.line}: is its closing '"' missing?` });
      break;
    }
    diags.push(diagnostic(M.syntaxError, message, span, { ...(help === undefined ? {} : { help }), related }));
  }
  p.input = [];
  return result;
}
