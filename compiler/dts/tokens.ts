import { createToken, Lexer, type TokenType } from 'chevrotain';

/**
 * Token types. The DTS lexer is context-sensitive (dtc's flex lexer has start conditions for node/property
 * names and bytestrings), so lexer.ts is hand-written and produces tokens of these types for the Chevrotain parser.
 */
const t = (name: string, label?: string): TokenType => createToken({ name, pattern: Lexer.NA, label: label ?? name });

export const V1 = t('V1', "'/dts-v1/'");
export const Plugin = t('Plugin', "'/plugin/'");
export const MemReserve = t('MemReserve', "'/memreserve/'");
export const Bits = t('Bits', "'/bits/'");
export const DelProp = t('DelProp', "'/delete-property/'");
export const DelNode = t('DelNode', "'/delete-node/'");
export const OmitNoRef = t('OmitNoRef', "'/omit-if-no-ref/'");
export const Incbin = t('Incbin', "'/incbin/'");
export const Label = t('Label', 'label');
export const Ref = t('Ref', 'reference');
export const Literal = t('Literal', 'integer');
export const CharLiteral = t('CharLiteral', 'character literal');
export const StringLit = t('String', 'string');
export const Byte = t('Byte', 'byte');
export const PropNodeName = t('PropNodeName', 'name');
export const LCurly = t('LCurly', "'{'");
export const RCurly = t('RCurly', "'}'");
export const Semi = t('Semi', "';'");
export const Equals = t('Equals', "'='");
export const LAngle = t('LAngle', "'<'");
export const RAngle = t('RAngle', "'>'");
export const LSquare = t('LSquare', "'['");
export const RSquare = t('RSquare', "']'");
export const LParen = t('LParen', "'('");
export const RParen = t('RParen', "')'");
export const Comma = t('Comma', "','");
export const Slash = t('Slash', "'/'");
export const LShift = t('LShift', "'<<'");
export const RShift = t('RShift', "'>>'");
export const LE = t('LE', "'<='");
export const GE = t('GE', "'>='");
export const EqEq = t('EqEq', "'=='");
export const NE = t('NE', "'!='");
export const AndAnd = t('AndAnd', "'&&'");
export const OrOr = t('OrOr', "'||'");
export const Plus = t('Plus', "'+'");
export const Minus = t('Minus', "'-'");
export const Star = t('Star', "'*'");
export const Percent = t('Percent', "'%'");
export const Amp = t('Amp', "'&'");
export const Pipe = t('Pipe', "'|'");
export const Caret = t('Caret', "'^'");
export const Tilde = t('Tilde', "'~'");
export const Bang = t('Bang', "'!'");
export const Question = t('Question', "'?'");
export const Colon = t('Colon', "':'");

export const allTokens: TokenType[] = [
  V1, Plugin, MemReserve, Bits, DelProp, DelNode, OmitNoRef, Incbin, Label, Ref, Literal, CharLiteral, StringLit, Byte,
  PropNodeName, LCurly, RCurly, Semi, Equals, LAngle, RAngle, LSquare, RSquare, LParen, RParen, Comma, Slash, LShift,
  RShift, LE, GE, EqEq, NE, AndAnd, OrOr, Plus, Minus, Star, Percent, Amp, Pipe, Caret, Tilde, Bang, Question, Colon,
];

export const charTokens: Record<string, TokenType> = {
  '{': LCurly, '}': RCurly, ';': Semi, '=': Equals, '<': LAngle, '>': RAngle, '[': LSquare, ']': RSquare, '(': LParen,
  ')': RParen, ',': Comma, '/': Slash, '+': Plus, '-': Minus, '*': Star, '%': Percent, '&': Amp, '|': Pipe, '^': Caret,
  '~': Tilde, '!': Bang, '?': Question, ':': Colon,
};

export const twoCharTokens: Record<string, TokenType> = {
  '<<': LShift, '>>': RShift, '<=': LE, '>=': GE, '==': EqEq, '!=': NE, '&&': AndAnd, '||': OrOr,
};
