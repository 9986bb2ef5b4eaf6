import type { IToken, TokenType } from 'chevrotain';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import type { Span } from '../diagnostics/span.js';
import { M } from './messages.js';
import { notFoundDiagnostic, type SourceLoader } from './source.js';
import * as T from './tokens.js';

/** A token with its source location (file and line after `# line` markers) and decoded payload. */
export interface DtsToken extends IToken {
  span: Span;
  /** Label / reference / property-or-node name / literal text / char-literal body. */
  text?: string;
  /** String bytes (escapes processed) or the byte of a bytestring. */
  bytes?: Uint8Array;
  byte?: number;
  /** Index in the token vector. */
  index?: number;
}

const enum State {
  Initial,
  V1,
  Bytestring,
  PropNodeName,
}

// Character classes of dtc-lexer.l
const PROPNODECHAR = new Uint8Array(256);
const LABELSTART = new Uint8Array(256);
const LABELCHAR = new Uint8Array(256);
const HEX = new Uint8Array(256);
const SPACE = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  const alnum = /[a-zA-Z0-9]/.test(ch);
  PROPNODECHAR[c] = alnum || ',._+*#?@-'.includes(ch) ? 1 : 0;
  LABELSTART[c] = /[a-zA-Z_]/.test(ch) ? 1 : 0;
  LABELCHAR[c] = /[a-zA-Z0-9_]/.test(ch) ? 1 : 0;
  HEX[c] = /[0-9a-fA-F]/.test(ch) ? 1 : 0;
  SPACE[c] = ' \t\n\v\f\r'.includes(ch) ? 1 : 0;
}
const isPathChar = (c: number) => PROPNODECHAR[c] === 1 || c === 47;

const KEYWORDS: [string, TokenType, State | -1][] = [
  ['/dts-v1/', T.V1, State.V1],
  ['/plugin/', T.Plugin, -1],
  ['/memreserve/', T.MemReserve, State.V1],
  ['/bits/', T.Bits, State.V1],
  ['/delete-property/', T.DelProp, State.PropNodeName],
  ['/delete-node/', T.DelNode, State.PropNodeName],
  ['/omit-if-no-ref/', T.OmitNoRef, State.PropNodeName],
];

const WORDCHAR = /[A-Za-z0-9_]/;

/** Tokens that end a property's value: after one of them, only ',' or ';' may come. */
const VALUE_END = new Set<TokenType>([T.RAngle, T.StringLit, T.RSquare, T.Ref, T.RParen]);

const SIZE_UNITS: Record<string, [number, string]> = { K: [10, 'KiB'], M: [20, 'MiB'], G: [30, 'GiB'], T: [40, 'TiB'] };

/**
 * What a number with a suffix or separators was meant to be: `16M` is 0x1000000 (16 MiB), `0x4000_0000` is
 * 0x40000000. Undefined when it cannot be told.
 */
export function numberFix(word: string): { literal: string; why: string; meaning?: string } | undefined {
  const size = /^(0[xX][0-9a-fA-F]+|[1-9][0-9]*|0)([KMGTkmgt])(i?[Bb])?$/.exec(word);
  if (size) {
    const [bits, unit] = SIZE_UNITS[size[2]!.toUpperCase()]!;
    const value = BigInt(size[1]!) << BigInt(bits);
    if (value >= 1n << 64n) return undefined;
    return { literal: `0x${value.toString(16)}`, why: 'DTS numbers have no size suffixes (K, M, G)', meaning: `${size[1]} ${unit}` };
  }
  if (word.includes('_')) {
    const joined = word.replace(/_/g, '');
    if (/^(0[xX][0-9a-fA-F]+|[1-9][0-9]*|0[0-7]*)(U|L|UL|LL|ULL)?$/.test(joined)) return { literal: joined, why: "digits cannot be separated with '_'" };
  }
  return undefined;
}

const LINE_DIRECTIVE = /#(?:line)?[ \t]+([0-9]+)[ \t]+"((?:[^\\"]|\\.)*)"(?:[ \t]+[0-9]+)?/y;

/** dtc's get_escape_char over `s` from index i (just after the backslash). Returns [byte, next index] or undefined for a bare \x. */
export function escapeChar(s: string, i: number): [number, number] | undefined {
  const c = s[i];
  switch (c) {
    case 'a': return [7, i + 1];
    case 'b': return [8, i + 1];
    case 't': return [9, i + 1];
    case 'n': return [10, i + 1];
    case 'v': return [11, i + 1];
    case 'f': return [12, i + 1];
    case 'r': return [13, i + 1];
    case 'x': {
      let j = i + 1;
      let v = 0;
      while (j < i + 3 && j < s.length && HEX[s.charCodeAt(j)]) v = v * 16 + parseInt(s[j]!, 16), j++;
      if (j === i + 1) return undefined;
      return [v & 0xff, j];
    }
    default:
      if (c !== undefined && c >= '0' && c <= '7') {
        let j = i;
        let v = 0;
        while (j < i + 3 && j < s.length && s[j]! >= '0' && s[j]! <= '7') v = v * 8 + (s.charCodeAt(j) - 48), j++;
        return [v & 0xff, j];
      }
      return [c === undefined ? 0 : s.charCodeAt(i) & 0xff, i + 1];
  }
}

/**
 * The most device-tree source text (characters, the entry file and its includes together) hvcc reads: every
 * token is held in memory with its position, some 200 bytes of heap per byte of source, and node's heap
 * ends near 4 GiB (an 18 MB source took 3.5 GB).
 */
export const SOURCE_LIMIT = 16 * 2 ** 20;

export interface LexResult {
  tokens: DtsToken[];
}

/** Lexes an entry file with its /include/s spliced in, as dtc's flex lexer does (one start condition across files). */
export class DtsLexer {
  readonly tokens: DtsToken[] = [];
  /** Every /include/ that was read, with the index of its first token (for messages about the entry file). */
  readonly includes: { span: Span; firstToken: number }[] = [];
  /** Set when the sources passed SOURCE_LIMIT (HV1023): the caller parses nothing then. */
  tooLarge = false;
  private sourceChars = 0;
  private state: State = State.Initial;
  private depth = 0;
  private readonly stack: string[] = [];

  constructor(
    private readonly loader: SourceLoader,
    private readonly diags: Diagnostic[],
  ) {}

  /**
   * `preprocessed`: the text is cpp output for `file`; positions then always come from its line markers
   * (and offsets from the original files), never from the cpp output itself.
   */
  lexFile(file: string, text: string, includedFrom?: Span, preprocessed = false): void {
    // dtc gives up 200 includes deep; a file that includes itself would get there, so stop it at once.
    if (this.depth >= 200 || this.stack.includes(file)) {
      const why = this.stack.includes(file) ? ` ("${file}" includes itself)` : '';
      this.diags.push(diagnostic(M.includeDepth, `Includes nested too deeply${why}`, includedFrom));
      return;
    }
    if (this.tooLarge) return;
    this.sourceChars += text.length;
    if (this.sourceChars > SOURCE_LIMIT) {
      this.tooLarge = true;
      const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
      this.diags.push(
        diagnostic(M.sourceTooLarge, `the device-tree sources are more than ${mib(SOURCE_LIMIT)} together (${mib(this.sourceChars)} with "${file}")`, includedFrom ?? { file, start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } }, {
          notes: ['hvcc holds every token of the sources in memory; real boards and systems are well under 1 MiB, so a source this large was most likely generated by mistake'],
        }),
      );
      return;
    }
    this.depth++;
    this.stack.push(file);
    try {
      this.lexText(file, text, preprocessed);
    } finally {
      this.depth--;
      this.stack.pop();
    }
  }

  private lexText(physFile: string, s: string, preprocessed: boolean): void {
    const n = s.length;
    let i = 0;
    // physical position
    let line = 1;
    let lineStart = 0;
    // logical mapping (# line markers): logical line = line + lineDelta, in file logFile
    let logFile = physFile;
    let lineDelta = 0;
    let mapped = preprocessed;
    const loader = this.loader;
    const out = this.tokens;

    const position = (off: number, ln: number, ls: number) => ({
      line: ln + lineDelta,
      column: off - ls + 1,
      offset: mapped ? -1 : off,
    });
    const advanceTo = (end: number) => {
      for (let k = i; k < end; k++) {
        if (s.charCodeAt(k) === 10) {
          line++;
          lineStart = k + 1;
        }
      }
      i = end;
    };
    const spanOf = (start: number, end: number): Span => {
      const sl = line;
      const sls = lineStart;
      const startPos = position(start, sl, sls);
      // compute end position without moving
      let el = line;
      let els = lineStart;
      for (let k = start; k < end; k++) if (s.charCodeAt(k) === 10) (el++, (els = k + 1));
      const sp: Span = { file: logFile, start: startPos, end: position(end, el, els) };
      if (mapped) {
        sp.start.offset = loader.offsetOf(logFile, sp.start.line, sp.start.column);
        sp.end.offset = loader.offsetOf(logFile, sp.end.line, sp.end.column);
      }
      return sp;
    };
    const emit = (tt: TokenType, start: number, end: number, extra?: Partial<DtsToken>): DtsToken => {
      const sp = spanOf(start, end);
      const tok: DtsToken = {
        image: s.slice(start, end),
        startOffset: start,
        endOffset: end - 1,
        startLine: sp.start.line,
        startColumn: sp.start.column,
        endLine: sp.end.line,
        endColumn: sp.end.column - 1,
        tokenType: tt,
        tokenTypeIdx: tt.tokenTypeIdx!,
        span: sp,
      };
      if (extra) Object.assign(tok, extra);
      tok.index = out.length;
      out.push(tok);
      advanceTo(end);
      return tok;
    };
    const error = (def: (typeof M)[keyof typeof M], msg: string, start: number, end: number) => {
      this.diags.push(diagnostic(def, msg, spanOf(start, end)));
    };
    // Characters no token can start, per file: the first ones are reported; past a limit (a binary file
    // included by mistake has one every few bytes) one last error says how many more there are.
    const INVALID_LIMIT = 20;
    let invalid = 0;
    let lastInvalid: Diagnostic | undefined;

    while (i < n) {
      const c = s.charCodeAt(i);
      const st = this.state;
      // whitespace
      if (SPACE[c]) {
        let j = i + 1;
        while (j < n && SPACE[s.charCodeAt(j)]) j++;
        advanceTo(j);
        continue;
      }
      // # line markers at the start of a line
      if (c === 35 /* # */ && (i === 0 || s.charCodeAt(i - 1) === 10)) {
        LINE_DIRECTIVE.lastIndex = i;
        const m = LINE_DIRECTIVE.exec(s);
        if (m) {
          const end = i + m[0].length;
          advanceTo(end);
          // The directive names the number of the next line.
          logFile = m[2]!.replace(/\\(.)/g, '$1');
          lineDelta = Number(m[1]) - 1 - line;
          mapped = preprocessed || logFile !== physFile || lineDelta !== 0;
          continue;
        }
      }
      if (c === 47 /* / */) {
        const c1 = s.charCodeAt(i + 1);
        if (c1 === 42 /* * */) {
          const e = s.indexOf('*/', i + 2);
          if (e < 0) {
            error(M.unterminated, 'Unterminated comment', i, i + 2);
            advanceTo(n);
            break;
          }
          advanceTo(e + 2);
          continue;
        }
        if (c1 === 47) {
          const e = s.indexOf('\n', i + 2);
          if (e >= 0) {
            advanceTo(e + 1);
            continue;
          }
          // dtc's LINECOMMENT needs a newline: at end of file '//' is two '/' tokens (a syntax error).
        }
        if (s.startsWith('/include/', i)) {
          let j = i + 9;
          while (j < n && SPACE[s.charCodeAt(j)]) j++;
          if (s.charCodeAt(j) === 34) {
            const e = this.scanString(s, j);
            if (e > 0) {
              const name = s.slice(j + 1, e - 1);
              const sp = spanOf(i, e);
              advanceTo(e);
              loader.position = out.length;
              const resolved = loader.resolveText(name, physFile);
              if ('text' in resolved) {
                this.includes.push({ span: sp, firstToken: out.length });
                this.lexFile(resolved.path, resolved.text, sp);
              }
              else this.diags.push(notFoundDiagnostic(resolved, name, sp, '/include/'));
              continue;
            }
          }
        }
        let kw = false;
        for (const [word, tt, ns] of KEYWORDS) {
          if (s.startsWith(word, i)) {
            emit(tt, i, i + word.length);
            if (ns !== -1) this.state = ns;
            kw = true;
            break;
          }
        }
        if (kw) continue;
        if ((st === State.Initial || st === State.V1) && s.startsWith('/incbin/', i)) {
          emit(T.Incbin, i, i + 8);
          continue;
        }
      }
      // strings
      if (c === 34) {
        const e = this.scanString(s, i);
        if (e < 0) {
          error(M.unterminated, 'Unterminated string', i, i + 1);
          advanceTo(n);
          break;
        }
        const body = s.slice(i + 1, e - 1);
        const bytes: number[] = [];
        let bad = false;
        for (let k = 0; k < body.length; ) {
          const ch = body.charCodeAt(k);
          if (ch === 92) {
            const r = escapeChar(body, k + 1);
            if (!r) {
              bad = true;
              k += 2;
              continue;
            }
            bytes.push(r[0]);
            k = r[1];
          } else {
            bytes.push(ch & 0xff);
            k++;
          }
        }
        if (bad) error(M.badEscape, '\\x used with no following hex digits', i, e);
        emit(T.StringLit, i, e, { bytes: Uint8Array.from(bytes) });
        continue;
      }
      // labels: {LABEL}:  (wins over names and bytes by longest match)
      if (LABELSTART[c]) {
        let j = i + 1;
        while (j < n && LABELCHAR[s.charCodeAt(j)]) j++;
        if (s.charCodeAt(j) === 58 /* : */) {
          emit(T.Label, i, j + 1, { text: s.slice(i, j) });
          continue;
        }
      }
      if (st === State.PropNodeName) {
        let j = i;
        if (c === 92 /* \ */) j++;
        const k0 = j;
        while (j < n && PROPNODECHAR[s.charCodeAt(j)]) j++;
        if (j > k0) {
          emit(T.PropNodeName, i, j, { text: s.slice(k0, j) });
          this.state = State.V1;
          continue;
        }
      }
      if (st === State.Bytestring) {
        if (HEX[c] && HEX[s.charCodeAt(i + 1)]) {
          emit(T.Byte, i, i + 2, { byte: parseInt(s.slice(i, i + 2), 16) });
          continue;
        }
        if (c === 93 /* ] */) {
          emit(T.RSquare, i, i + 1);
          this.state = State.V1;
          continue;
        }
      }
      if (st === State.V1 && c >= 48 && c <= 57) {
        let j = i + 1;
        const x = s.charCodeAt(i + 1);
        if (c === 48 && (x === 120 || x === 88) && HEX[s.charCodeAt(i + 2)]) {
          j = i + 2;
          while (j < n && HEX[s.charCodeAt(j)]) j++;
        } else {
          while (j < n && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
        }
        for (const suf of ['ULL', 'UL', 'LL', 'U', 'L']) {
          if (s.startsWith(suf, j)) {
            j += suf.length;
            break;
          }
        }
        // In dtc's grammar nothing can follow a number without a space but a label (`<1 l: 2>` or `<1l: 2>`):
        // a letter, digit or '_' there is a size suffix (16M) or a digit separator (0x4000_0000).
        if (j < n && WORDCHAR.test(s[j]!)) {
          let k = j;
          while (k < n && WORDCHAR.test(s[k]!)) k++;
          const label = LABELSTART[s.charCodeAt(j)] === 1 && s.charCodeAt(k) === 58;
          if (!label) {
            const word = s.slice(i, k);
            const fix = numberFix(word);
            this.diags.push(
              diagnostic(M.numberSuffix, fix ? `'${word}' is not a DTS number: ${fix.why}` : `'${word}' is not a number`, spanOf(i, k), {
                help: fix
                  ? `write ${fix.literal}${fix.meaning ? ` (${fix.meaning})` : ''}`
                  : 'a number is decimal, octal (leading 0) or hexadecimal (0x), optionally followed by U, L, UL, LL or ULL, and nothing else',
              }),
            );
            // Go on with the value it was meant to have (or its leading digits), so the rest is still checked.
            emit(T.Literal, i, k, { text: fix?.literal ?? s.slice(i, j) });
            continue;
          }
        }
        emit(T.Literal, i, j, { text: s.slice(i, j) });
        continue;
      }
      if (c === 39 /* ' */) {
        // CHAR_LITERAL '([^']|\\')*' : longest match
        let j = i + 1;
        let end = -1;
        while (j < n) {
          if (s.charCodeAt(j) === 39) {
            end = j;
            if (j - 1 > i && s.charCodeAt(j - 1) === 92) {
              j++;
              continue;
            }
            break;
          }
          j++;
        }
        if (end > 0) {
          emit(T.CharLiteral, i, end + 1, { text: s.slice(i + 1, end) });
          continue;
        }
      }
      if (c === 38 /* & */) {
        const c1 = s.charCodeAt(i + 1);
        if (LABELSTART[c1]) {
          let j = i + 2;
          while (j < n && LABELCHAR[s.charCodeAt(j)]) j++;
          emit(T.Ref, i, j, { text: s.slice(i + 1, j) });
          continue;
        }
        if (c1 === 123 /* { */ && s.charCodeAt(i + 2) === 47) {
          let j = i + 3;
          while (j < n && isPathChar(s.charCodeAt(j))) j++;
          if (s.charCodeAt(j) === 125) {
            emit(T.Ref, i, j + 1, { text: s.slice(i + 2, j) });
            continue;
          }
        }
      }
      const two = s.slice(i, i + 2);
      const tt2 = T.twoCharTokens[two];
      if (tt2) {
        emit(tt2, i, i + 2);
        continue;
      }
      const ch = s[i]!;
      const tt = T.charTokens[ch];
      if (tt) {
        emit(tt, i, i + 1);
        if (ch === '[') this.state = State.Bytestring;
        else if (ch === '{' || ch === ';') this.state = State.PropNodeName;
        continue;
      }
      // A name on a line after a value that is not closed by ';': the ';' is missing at the end of that
      // line. Say so there, and go on as if it were there (the name then starts the next property or node).
      const prev = out[out.length - 1];
      if (LABELSTART[c] === 1 && prev && VALUE_END.has(prev.tokenType) && prev.span.file === logFile && prev.span.end.line < line + lineDelta) {
        const at = prev.span.end;
        const semiSpan: Span = { file: prev.span.file, start: at, end: at };
        this.diags.push(diagnostic(M.syntaxError, "syntax error: missing ';' at the end of the line", semiSpan, { help: `a property's value ends with ';' (the next line starts a new property or node)` }));
        out.push({
          image: ';',
          startOffset: (prev.endOffset ?? prev.startOffset) + 1,
          endOffset: prev.endOffset ?? prev.startOffset,
          startLine: at.line,
          startColumn: at.column,
          endLine: at.line,
          endColumn: at.column,
          tokenType: T.Semi,
          tokenTypeIdx: T.Semi.tokenTypeIdx!,
          span: semiSpan,
          index: out.length,
        });
        this.state = State.PropNodeName;
        continue;
      }
      // A word where none can stand: one error for the word, not one per letter.
      let end = i + 1;
      if (/[A-Za-z0-9_]/.test(ch)) while (end < n && /[A-Za-z0-9_,.+#?-]/.test(s[end]!)) end++;
      const shown = end > i + 1 ? `'${s.slice(i, end)}'` : c >= 32 && c < 127 ? `character '${ch}'` : `character \\x${c.toString(16).padStart(2, '0')}`;
      invalid++;
      if (invalid <= INVALID_LIMIT) error(M.invalidCharacter, `syntax error: unexpected ${shown}`, i, end);
      else if (invalid === INVALID_LIMIT + 1) {
        lastInvalid = diagnostic(M.invalidCharacter, 'syntax error: more characters that cannot start a token follow', spanOf(i, end), {
          help: /[\x00-\x08\x0e-\x1f]/.test(s) ? 'this looks like a binary file, not device-tree source: is an /include/ naming the wrong file? (/incbin/ includes binary data)' : 'only the first ones are shown',
        });
        this.diags.push(lastInvalid);
      } else lastInvalid!.message = `syntax error: ${invalid - INVALID_LIMIT} more characters that cannot start a token follow`;
      advanceTo(end);
    }
  }

  /** End (exclusive) of a dtc STRING starting at j ("([^\\"]|\\.)*"), or -1. */
  private scanString(s: string, j: number): number {
    let k = j + 1;
    const n = s.length;
    while (k < n) {
      const ch = s.charCodeAt(k);
      if (ch === 34) return k + 1;
      if (ch === 92) {
        if (k + 1 < n && s.charCodeAt(k + 1) !== 10) {
          k += 2;
          continue;
        }
        return -1;
      }
      k++;
    }
    return -1;
  }
}
