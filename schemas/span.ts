import * as z from 'zod';

/** A 1-based line/column position with its 0-based offset in the file's text. */
export const Position = z.object({
  line: z.number().int().positive(),
  column: z.number().int().positive(),
  offset: z.number().int().nonnegative(),
});
export type Position = z.infer<typeof Position>;

/** Where a piece of the model came from in the description. */
export const Span = z.object({
  file: z.string(),
  start: Position,
  end: Position,
});
export type Span = z.infer<typeof Span>;
