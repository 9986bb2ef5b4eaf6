/** Small helpers for writing LLVM 14 IR constants as text (typed pointers). */

/** An i64 literal: IR integers are signed, so values with bit 63 set are written negative. */
export function i64(value: bigint | number): string {
  return `i64 ${BigInt.asIntN(64, BigInt(value)).toString()}`;
}

/** The body of a c"..." string constant, NUL-terminated. */
export function cString(value: string): { escaped: string; length: number } {
  const bytes = Buffer.from(value + '\0', 'utf8');
  let escaped = '';
  for (const b of bytes) {
    escaped += b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return { escaped, length: bytes.length };
}

/** A pointer to the first element of a global array. */
export function arrayPointer(name: string, count: number, elementType: string): string {
  return `getelementptr inbounds ([${count} x ${elementType}], [${count} x ${elementType}]* @${name}, i64 0, i64 0)`;
}

/** An i8* to a global of another type (`external constant i8` declarations are already i8). */
export function bytePointer(name: string, type: string, offset = 0n): string {
  const base = type === 'i8' ? `@${name}` : `bitcast (${type}* @${name} to i8*)`;
  return offset === 0n ? `i8* ${base}` : `i8* getelementptr (i8, i8* ${base}, i64 ${offset})`;
}

export const NULL_I8 = 'i8* null';

/** LLVM identifiers for generated globals stay within [A-Za-z0-9_.]. */
export function identifier(parts: (string | number)[]): string {
  return parts.map((p) => String(p).replace(/[^A-Za-z0-9_]/g, '_')).join('_');
}
