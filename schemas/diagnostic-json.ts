import * as z from 'zod';

/**
 * What `hvcc validate --format json` prints: the single definition of its shape. compiler/cli/output.ts
 * builds values of these types; `npm run docs` exports the JSON Schema to docs/schemas/diagnostics.schema.json.
 * Lines and columns are 1-based; columns count characters (a tab is one). `version` changes only when an
 * existing field changes meaning or goes away.
 */
export const SpanJson = z
  .object({
    file: z.string().describe('The file, as the compiler named it (absolute, or as given on the command line)'),
    line: z.number().int().positive().describe('First line of the span (1-based)'),
    column: z.number().int().positive().describe('First column of the span (1-based)'),
    endLine: z.number().int().positive().describe('Line the span ends on'),
    endColumn: z.number().int().positive().describe('Column just after the span ends'),
  })
  .strict()
  .describe('A range of characters in a source file');
export type SpanJson = z.infer<typeof SpanJson>;

export const DiagnosticJson = z
  .object({
    code: z.string().regex(/^HV\d{4}$/).describe('Stable code, e.g. HV3004 (docs/diagnostics.md)'),
    name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/).describe('The check or rule name (what -W no-<name> switches off)'),
    severity: z.enum(['error', 'warning', 'note']).describe('After --werror, warnings are reported as errors'),
    message: z.string().describe('One line saying what is wrong, with the values involved'),
    span: SpanJson.nullable().describe('Where the problem is; null for a problem with no place in the sources'),
    related: z
      .array(z.object({ message: z.string(), span: SpanJson }).strict())
      .describe('Other places involved (the other party of a conflict, a definition)'),
    notes: z.array(z.string()).describe('Further facts, one per entry'),
    help: z.string().nullable().describe('How to fix it, when there is a clear fix'),
  })
  .strict()
  .describe('One diagnostic');
export type DiagnosticJson = z.infer<typeof DiagnosticJson>;

export const ValidateJson = z
  .object({
    version: z.literal(1).describe('Version of this format'),
    diagnostics: z.array(DiagnosticJson).describe('Every diagnostic of every file validated, in the order reported'),
  })
  .strict()
  .meta({ title: 'hvcc validate --format json', description: 'The diagnostics of `hvcc validate --format json`.' });
export type ValidateJson = z.infer<typeof ValidateJson>;
