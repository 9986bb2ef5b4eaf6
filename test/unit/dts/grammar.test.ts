/** The device-tree grammar passes chevrotain's own checks (hvcc skips them when it builds its parser). */
import { expect, test } from '@jest/globals';
import { DtsParser } from '../../../compiler/dts/parser.js';

test('chevrotain finds no ambiguity, left recursion or other grammar error in the DTS parser', () => {
  // With the validations on, performSelfAnalysis throws on any grammar definition error.
  expect(() => new DtsParser({ validateGrammar: true })).not.toThrow();
});
