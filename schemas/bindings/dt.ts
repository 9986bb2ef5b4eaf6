import * as z from 'zod';

/**
 * Device-tree property types for bindings. A binding's zod schema says, per property, what the decoded
 * value must be (required or optional, allowed values, ranges); the `dt` metadata says how the property is
 * encoded in the tree, so the model builder knows how to decode it and docs/bindings/ can say so.
 */
export type DtKind =
  | 'string'
  | 'string-list'
  | 'u32'
  | 'u64'
  | 'u32-array'
  | 'phandle'
  | 'phandle-array'
  | 'reg'
  | 'flag'
  | 'interrupts'
  | 'any';

export type DtMeta = {
  dt: DtKind;
  description: string;
  /**
   * The property configures the hypervisor, not the guest's hardware: it may refer to nodes outside the
   * guest (a shared region, a network, a disk), and it is left out of the guest's device tree.
   */
  hostOnly?: boolean;
};

/** An address range from `reg`, translated to the parent address space. */
export const RegEntry = z.object({ base: z.bigint(), size: z.bigint() });
export type RegEntry = z.infer<typeof RegEntry>;

const meta = (dt: DtKind, description: string): DtMeta => ({ dt, description });

export const dt = {
  string: (description: string) => z.string().meta(meta('string', description)),
  /** A string from a fixed set (a typo gets a "did you mean"). */
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, description: string) => z.enum(values).meta(meta('string', description)),
  stringList: (description: string) => z.array(z.string()).min(1).meta(meta('string-list', description)),
  u32: (description: string) => z.number().int().min(0).max(0xffff_ffff).meta(meta('u32', description)),
  /** One cell, or two cells with the high word first; `least` is the smallest value that means anything. */
  u64: (description: string, least = 0n) => z.bigint().min(least).meta(meta('u64', description)),
  u32Array: (description: string) => z.array(z.number().int().min(0).max(0xffff_ffff)).meta(meta('u32-array', description)),
  /** Decoded to the target node's path. */
  phandle: (description: string) => z.string().meta(meta('phandle', description)),
  /** Decoded to the target nodes' paths, one per cell. */
  phandleArray: (description: string) => z.array(z.string()).meta(meta('phandle-array', description)),
  /** Address/size pairs in the parent's #address-cells/#size-cells. */
  reg: (description: string) => z.array(RegEntry).min(1).meta(meta('reg', description)),
  /** A property with no value. */
  flag: (description: string) => z.literal(true).meta(meta('flag', description)),
  /** Interrupt specifiers, decoded through the binding of the interrupt controller they go to. */
  interrupts: (description: string) => z.array(z.number().int().min(0).max(0xffff_ffff)).min(1).meta(meta('interrupts', description)),
  /** Accepted as it is (documented, not decoded). */
  any: (description: string) => z.unknown().meta(meta('any', description)),
  /** The same property, read by the hypervisor only (see DtMeta.hostOnly). */
  hostOnly: <T extends z.ZodType>(schema: T): T => schema.meta({ ...dtMeta(schema)!, hostOnly: true }) as T,
};

/** The names of a binding's properties that are the hypervisor's only (DtMeta.hostOnly). */
export function hostOnlyProperties(b: { properties: z.ZodObject<z.ZodRawShape> }): string[] {
  return Object.entries(b.properties.shape as Record<string, z.ZodType>).filter(([, schema]) => dtMeta(schema)?.hostOnly).map(([name]) => name);
}

/** What every node may carry whatever its binding. */
export const standardProperties = ['compatible', 'status', 'phandle', 'linux,phandle', '#address-cells', '#size-cells', 'name', 'device_type'] as const;

/**
 * How an interrupt controller's specifiers read (its `#interrupt-cells` meaning): which cell is the kind (shared or
 * per-CPU, say), which the number, which the trigger flags. The controller's own number for an interrupt is
 * the kind's `base` plus the number (or the number, for controllers without kinds).
 */
export interface InterruptSpecifier {
  cells: readonly string[];
  /** Each kind's name, first controller number, largest number and, when not all, the trigger types (IRQ_TYPE_* values) it takes. */
  kind?: { cell: string; values: Readonly<Record<string, { name: string; base: number; max: number; triggers?: readonly number[] }>> };
  number: string;
  /** Largest number, for controllers without kinds. */
  max?: number;
  flags?: string;
}

export interface Binding<S extends z.ZodRawShape = z.ZodRawShape> {
  /** The compatible string the binding is for, or a node kind for nodes matched otherwise (memory, cpu). */
  id: string;
  /** Which nodes it applies to: by compatible (default) or by device_type. */
  match: { compatible: string } | { deviceType: string };
  title: string;
  description: string;
  /** Where nodes with this binding appear: on the host board, inside a guest (emulated), or hvcc's own. */
  role: 'host-device' | 'guest-device' | 'hvcc' | 'board';
  properties: z.ZodObject<S>;
  /** For interrupt controllers: how their specifiers read. */
  interruptSpecifier?: InterruptSpecifier;
  /** Where the binding was declared (a component's binding file), when not in hvcc itself. */
  source?: { file: string; component: string };
}

/** The bindings a compilation knows: hvcc's own and every component's. */
export interface BindingSet {
  all: readonly Binding[];
  /** The binding for a node with these compatible strings in this role, most specific compatible first. */
  forCompatible(role: Binding['role'], compatibles: readonly string[]): Binding | undefined;
  forDeviceType(deviceType: string): Binding | undefined;
}

export function bindingSet(all: readonly Binding[]): BindingSet {
  return {
    all,
    forCompatible(role, compatibles) {
      for (const c of compatibles) {
        const found = all.find((b) => b.role === role && 'compatible' in b.match && b.match.compatible === c);
        if (found) return found;
      }
      return undefined;
    },
    forDeviceType: (deviceType) => all.find((b) => 'deviceType' in b.match && b.match.deviceType === deviceType),
  };
}

/**
 * A binding; its properties' schema is made when first read. A command decodes the nodes of one description,
 * which use a few of the bindings every component declares: building the zod schemas of all of them took
 * about 10 ms of each start.
 */
export function binding<S extends z.ZodRawShape>(b: Omit<Binding<S>, 'properties'> & { properties: S | (() => S) }): Binding<S> {
  const { properties, ...rest } = b;
  let made: z.ZodObject<S> | undefined;
  const shape = () => (typeof properties === 'function' ? properties() : properties);
  return Object.defineProperty(rest as Binding<S>, 'properties', { enumerable: true, get: () => (made ??= z.object(shape())) });
}

/** The dt metadata of a property schema, looking through optional/default wrappers. */
export function dtMeta(schema: z.ZodType): DtMeta | undefined {
  let s: z.ZodType = schema;
  for (let depth = 0; depth < 8; depth++) {
    const m = s.meta() as Partial<DtMeta> | undefined;
    if (m?.dt) return m as DtMeta;
    const inner = (s as unknown as { def: { innerType?: z.ZodType } }).def.innerType;
    if (!inner) return undefined;
    s = inner;
  }
  return undefined;
}

export function isOptional(schema: z.ZodType): boolean {
  // Declared so (.optional(), .default()), not "accepts undefined": an `any` property's z.unknown() accepts
  // undefined too, and a required one would then go missing without a word.
  return schema._zod.optin === 'optional' || schema._zod.optin === 'defaulted';
}
