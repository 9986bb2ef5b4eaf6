/** Small helpers for messages that read as sentences. */

/**
 * `a` or `an` for the word that follows, by its first letter as spoken: `an 'image' property`, `a 'reg'
 * property`, `an 'ordinary' word`, `a 'unit' address`. A leading quote, `#` or `/` is skipped (`a
 * '#address-cells'`, since "hash" is what one reads there; `an '/incbin/'` reads "incbin").
 */
export function article(word: string): 'a' | 'an' {
  const w = word.replace(/^['"`/]+/, '');
  if (w.startsWith('#')) return 'a';
  // Letters read as their names: "an HV code", "an SPI", "an MMIO window" (uppercase initialisms).
  if (/^[A-Z]{2}/.test(w)) return /^[AEFHILMNORSX]/.test(w) ? 'an' : 'a';
  // Words whose first vowel letter is read as "you" ("a unit address", "a UART", "a u32").
  if (/^(uni|use|usu|uart|u\d|eu)/i.test(w)) return 'a';
  return /^[aeiou]/i.test(w) ? 'an' : 'a';
}

/** The word with its article: `withArticle("'image'")` is "an 'image'". */
export function withArticle(word: string): string {
  return `${article(word)} ${word}`;
}
