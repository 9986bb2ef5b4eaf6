/**
 * The console escape key: the control character that, followed by a command key, switches the console
 * between guests and the management terminal (docs/console.md). Written as `ctrl-a` or `^A`, in the
 * description (/hypervisor `escape-key`) and on `hvcc run --escape`.
 */

/** Ctrl-A, as QEMU's and screen's. */
export const DEFAULT_ESCAPE_KEY = 0x01;

/** What may be written: `ctrl-a` .. `ctrl-z` and `ctrl-[`, `ctrl-\`, `ctrl-]`, `ctrl-^`, `ctrl-_`, or `^A`... */
export const ESCAPE_KEY_FORMS = '`ctrl-a` to `ctrl-z` (or `^A` to `^Z`) but not Ctrl-C, H, I, J or M, or `ctrl-]`, `ctrl-\\`, `ctrl-^`, `ctrl-_`';

/**
 * The control character a key name means, or undefined. Only control characters are accepted: a printable
 * key could not be typed any more. Ctrl-C, Ctrl-M (Enter), Ctrl-H, Ctrl-I (Tab), Ctrl-J, Ctrl-[ (Escape,
 * which starts every arrow key's sequence) and Ctrl-@ (NUL) are refused because the guests need them.
 */
export function parseEscapeKey(text: string): number | undefined {
  const m = /^(?:ctrl-|c-|\^)(.)$/i.exec(text.trim());
  if (!m) return undefined;
  const ch = m[1]!.toUpperCase();
  const code = ch.charCodeAt(0);
  if (code < 0x41 || code > 0x5f) return undefined; // A-Z [ \ ] ^ _
  const control = code & 0x1f;
  return RESERVED.has(control) ? undefined : control;
}

const RESERVED = new Set([0x03, 0x08, 0x09, 0x0a, 0x0d, 0x1b]);

/** `Ctrl-A` for 0x01. */
export function escapeKeyName(code: number): string {
  return `Ctrl-${String.fromCharCode(0x40 + (code & 0x1f))}`;
}
