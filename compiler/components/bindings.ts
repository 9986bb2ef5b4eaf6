import * as z from 'zod';
import { binding, dt, type Binding, type DtKind, type InterruptSpecifier } from '../../schemas/bindings/dt.js';

/**
 * Device-tree bindings declared by components: a `binding.json` (or `NAME.binding.json`) beside a component's
 * manifest says which properties a node of its compatible takes, their types, which are required, their
 * allowed values and the text of its docs page. The compiler turns each into the same zod schema hvcc's own
 * bindings are written as, so decoding, validation, docs/bindings/ and the JSON Schemas come from one source.
 */

/** The binding-file schemas, made on first use: a command whose catalogue comes from the cache checks no binding file. */
function makeSchemas() {
  const PropertyType = z.enum(['string', 'string-list', 'u32', 'u64', 'u32-array', 'phandle', 'phandle-array', 'reg', 'flag', 'interrupts', 'any']);

  const PropertySpec = z
    .object({
      type: PropertyType,
      required: z.boolean().default(false),
      description: z.string().default(''),
      /** Allowed values of a string property (a typo gets a "did you mean"), or of a u32 property. */
      enum: z.union([z.array(z.string()).min(1), z.array(z.number().int().min(0).max(0xffff_ffff)).min(1)]).optional(),
      minimum: z.number().int().optional(),
      maximum: z.number().int().optional(),
      /** A regular expression a string must match. */
      pattern: z
        .string()
        .refine((p) => {
          try {
            new RegExp(p);
            return true;
          } catch {
            return false;
          }
        }, 'is not a valid regular expression')
        .optional(),
      /** Read by the hypervisor only: may refer outside the guest, and is left out of the guest's device tree. */
      'host-only': z.boolean().default(false),
    })
    .strict()
    .refine((p) => p.enum === undefined || (p.type === 'string' && typeof p.enum[0] === 'string') || (p.type === 'u32' && typeof p.enum[0] === 'number'), 'an "enum" lists strings for a string property, numbers for a u32 one, and is not allowed on other types');

  /** `triggers`: the values of the flags cell's low 4 bits (IRQ_TYPE_*) the controller takes for the kind, when it does not take all. */
  const KindSpec = z.object({ name: z.string().min(1), base: z.number().int().nonnegative(), max: z.number().int().nonnegative(), triggers: z.array(z.number().int().min(0).max(15)).min(1).optional() }).strict();

  const InterruptSpecifierSpec = z
    .object({
      /** The names of the cells of one specifier, in order (their count is the controller's #interrupt-cells). */
      cells: z.array(z.string().min(1)).min(1),
      /** The cell that says the kind, and each kind's value: its name, the first controller number and the largest number of the kind. */
      kind: z.object({ cell: z.string(), values: z.record(z.string().regex(/^\d+$/), KindSpec) }).strict().optional(),
      /** The cell that holds the interrupt's number. */
      number: z.string(),
      /** Largest number, for controllers without kinds. */
      max: z.number().int().nonnegative().optional(),
      /** The cell holding the trigger flags (IRQ_TYPE_* in its low 4 bits). */
      flags: z.string().optional(),
    })
    .strict()
    .refine((s) => [s.number, s.kind?.cell, s.flags].every((c) => c === undefined || s.cells.includes(c)), 'number, kind.cell and flags must name cells');

  const BindingFile = z
    .object({
      /** The compatible string the binding is for; or `device-type` for nodes matched by device_type. */
      compatible: z.string().min(1).optional(),
      'device-type': z.string().min(1).optional(),
      /** host-device: a device of the board; guest-device: a device inside a guest (emulated); board: other board nodes. */
      role: z.enum(['host-device', 'guest-device', 'board']),
      title: z.string().min(1),
      description: z.string().min(1),
      properties: z.record(z.string(), PropertySpec),
      'interrupt-specifier': InterruptSpecifierSpec.optional(),
    })
    .strict()
    .refine((b) => (b.compatible === undefined) !== (b['device-type'] === undefined), 'give exactly one of "compatible" and "device-type"');
  return { PropertySpec, InterruptSpecifierSpec, BindingFile };
}

let schemas: ReturnType<typeof makeSchemas> | undefined;
export const bindingFileSchemas = (): ReturnType<typeof makeSchemas> => (schemas ??= makeSchemas());
type Schemas = ReturnType<typeof makeSchemas>;
export type BindingFile = z.infer<Schemas['BindingFile']>;

function propertySchema(name: string, spec: z.infer<Schemas['PropertySpec']>): z.ZodType {
  const kind: DtKind = spec.type;
  let schema: z.ZodType;
  switch (kind) {
    case 'string': {
      if (spec.enum) schema = dt.oneOf(spec.enum as [string, ...string[]], spec.description);
      else {
        let s = z.string();
        if (spec.pattern) s = s.regex(new RegExp(spec.pattern), `must match /${spec.pattern}/`);
        schema = s.meta({ dt: 'string', description: spec.description });
      }
      break;
    }
    case 'u32': {
      if (spec.enum) schema = z.literal(spec.enum as number[]).meta({ dt: 'u32', description: spec.description });
      else schema = z.number().int().min(spec.minimum ?? 0).max(spec.maximum ?? 0xffff_ffff).meta({ dt: 'u32', description: spec.description });
      break;
    }
    case 'u64': {
      let n = z.bigint().nonnegative();
      if (spec.minimum !== undefined) n = n.min(BigInt(spec.minimum));
      if (spec.maximum !== undefined) n = n.max(BigInt(spec.maximum));
      schema = n.meta({ dt: 'u64', description: spec.description });
      break;
    }
    case 'string-list':
      schema = dt.stringList(spec.description);
      break;
    case 'u32-array':
      schema = dt.u32Array(spec.description);
      break;
    case 'phandle':
      schema = dt.phandle(spec.description);
      break;
    case 'phandle-array':
      schema = dt.phandleArray(spec.description);
      break;
    case 'reg':
      schema = dt.reg(spec.description);
      break;
    case 'flag':
      schema = dt.flag(spec.description);
      break;
    case 'interrupts':
      schema = dt.interrupts(spec.description);
      break;
    default:
      schema = dt.any(spec.description);
  }
  void name;
  if (spec['host-only']) schema = dt.hostOnly(schema);
  return spec.required ? schema : schema.optional();
}

/** The zod binding a binding file declares. */
export function bindingFromFile(file: BindingFile, source: { file: string; component: string }): Binding {
  const properties = () => Object.fromEntries(Object.entries(file.properties).map(([name, spec]) => [name, propertySchema(name, spec)]));
  const match = file.compatible !== undefined ? { compatible: file.compatible } : { deviceType: file['device-type']! };
  const id = file.compatible !== undefined ? `${file.compatible}${file.role === 'guest-device' ? ' (emulated)' : ''}` : file['device-type']!;
  const b = binding({ id, match, role: file.role, title: file.title, description: file.description, properties });
  const spec = file['interrupt-specifier'];
  if (spec) {
    const interruptSpecifier: InterruptSpecifier = { cells: spec.cells, number: spec.number };
    if (spec.kind) interruptSpecifier.kind = spec.kind;
    if (spec.max !== undefined) interruptSpecifier.max = spec.max;
    if (spec.flags !== undefined) interruptSpecifier.flags = spec.flags;
    b.interruptSpecifier = interruptSpecifier;
  }
  b.source = source;
  return b;
}
