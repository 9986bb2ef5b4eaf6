import type { System } from '../../schemas/model.js';
import { checks, runChecks, type CheckOptions } from '../checks/catalogue.js';
import { controllerCapabilities } from '../components/capabilities.js';
import { componentSearchPath, loadCatalogue, type CatalogueCache } from '../components/catalogue.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { layoutSystem, type Layout, type LayoutInput } from '../layout/layout.js';
import { readBytes } from '../fs/files.js';
import type { ArchBackend } from '../arch/backend.js';
import { TableConflictError } from '../layout/tables.js';
import { runtimeDir } from '../paths.js';
import { planSystem, schedulerAvailability, selectArch, type Plan } from '../plan/plan.js';
import { readSystem } from './front.js';
import type { ReadFile } from '../dts/source.js';
import type { DtsParser } from '../dts/parser.js';
import { buildMessages } from './messages.js';
import { resolveOptions, type ResolvedOptions } from '../kconfig/options.js';
import { timed, type Timings } from '../util/timings.js';
import { append } from '../util/arrays.js';

export interface AnalyzeOptions extends CheckOptions {
  file: string;
  outDir?: string | undefined;
  configFile?: string | undefined;
  includeDirs?: string[];
  /** Extra component folders, searched after the runtime (with $HVCC_COMPONENT_PATH's). */
  componentPath?: string[];
  readFile?: ReadFile;
  /** The console escape key, overriding the description's (`hvcc run --escape`). */
  escapeKey?: number;
  /** A device-tree parser to reuse, for callers that analyze many descriptions (see parseDts). */
  parser?: DtsParser;
  /**
   * A component catalogue to reuse (loadCatalogue's result, with the same component path), for callers that
   * analyze many descriptions in one process: loading it reads every manifest and binding again.
   */
  catalogue?: ReturnType<typeof loadCatalogue>;
  /** Where the catalogue may be kept between commands (components/catalogue.ts). */
  catalogueCache?: CatalogueCache | undefined;
  /** `--timings`: each pass is measured. */
  timings?: Timings | undefined;
}

export interface Analysis {
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
  system?: System;
  options?: ResolvedOptions;
  plan?: Plan;
  layout?: Layout;
  /**
   * What the passes computed even when the description has errors (for `hvcc map` and `hvcc diff`, which show
   * a broken description as far as it can be read): the model as read (nodes the model could not read are
   * left out), the plan when one was made, and the layout when it ran. Set whenever the model was built.
   */
  /** Files the layout read (guest images, initrds): with `sources`, what the image depends on. */
  inputFiles?: string[];
  partial?: { system: System; plan?: Plan; layout?: Layout; backend?: ArchBackend; options?: ResolvedOptions };
}

/**
 * Every pass short of the toolchain: front end, model, options, checks, plan, layout. `hvcc validate` and
 * `hvcc map` stop here; `hvcc build` goes on from here. Passes up to the plan report what they can even after errors (one run shows every problem); the
 * layout runs only on an error-free description, and `system`, `plan` and `layout` are set only then;
 * `partial` holds what was computed before the first error stopped the passes.
 */
export function analyze(options: AnalyzeOptions): Analysis {
  const result = analyzePasses(options);
  // --werror: every warning, whichever pass reported it, fails the run.
  if (options.werror) for (const d of result.diagnostics) if (d.severity === 'warning') d.severity = 'error';
  return result;
}

function analyzePasses(options: AnalyzeOptions): Analysis {
  const t = options.timings;
  const loaded = options.catalogue ?? timed(t, 'components (catalogue, bindings)', () => loadCatalogue(runtimeDir, componentSearchPath(options.componentPath ?? []), options.catalogueCache));
  const catalogue = loaded.catalogue;
  const diagnostics = [...loaded.diagnostics];
  const front = timed(t, 'front end', () => readSystem(options.file, { ...options, bindings: catalogue.bindings }));
  append(diagnostics, front.diagnostics);
  const sources = front.sources;
  const result: Analysis = { diagnostics, sources };
  const system = front.system;
  if (!system) return result;
  if (options.escapeKey !== undefined) system.hypervisor.escapeKey = options.escapeKey;
  const partial: NonNullable<Analysis['partial']> = { system };
  result.partial = partial;
  const resolved = timed(t, 'options (Kconfig)', () => resolveOptions({ catalogue, systemFile: options.file, boardFile: system.board.file, outDir: options.outDir, configFile: options.configFile }));
  append(diagnostics, resolved.diagnostics);
  for (const [file, text] of resolved.sources) sources.set(file, text);
  if (!resolved.options) return result;
  result.options = resolved.options;
  partial.options = resolved.options;
  const kconfig = resolved.options;
  const selected = selectArch(system, catalogue);
  const arch = selected.arch;
  append(diagnostics, selected.diagnostics);
  if (!arch || !selected.backend) return result;
  const backend = selected.backend;
  partial.backend = backend;
  timed(t, 'checks', () => {
    const capabilities = controllerCapabilities(system, catalogue, backend.name, (s) => kconfig.intValue(s));
    append(diagnostics, capabilities.diagnostics);
    const guestFormat = backend.tables.guest;
    // The model drops only the nodes it could not read, so the checks still find every other problem.
    diagnostics.push(
      ...runChecks(
        {
          system: system,
          limits: { maxCpus: kconfig.intValue('HV_MAX_CPUS') ?? 1, maxVcpus: kconfig.intValue('HV_MAX_VCPUS') ?? 1 },
          scheduler: schedulerAvailability(system, catalogue, backend.name, (s) => kconfig.isEnabled(s)),
          guestAddressBits: guestFormat.inputBits,
          blockSize: guestFormat.entrySize(guestFormat.lastLevel - 1),
          granule: guestFormat.granule,
          controllers: capabilities.controllers,
        },
        [...checks, ...backend.checks],
        options,
      ),
    );
  });

  const planned = timed(t, 'plan', () => planSystem(system, catalogue, { arch, backend }, (s) => kconfig.isEnabled(s)));
  append(diagnostics, planned.diagnostics);
  if (planned.plan) partial.plan = planned.plan;
  if (!planned.plan || hasErrors(diagnostics)) return result;
  result.system = system;
  result.plan = planned.plan;

  try {
    // One stack per CPU, and with the scheduler one per vCPU as well (each vCPU is a thread of its own).
    const stacks = (kconfig.intValue('HV_MAX_CPUS') ?? 0) + (planned.plan.scheduler ? (kconfig.intValue('HV_MAX_VCPUS') ?? 0) : 0);
    const stackBytes = BigInt(stacks) * BigInt(kconfig.intValue('HV_STACK_SIZE') ?? 0);
    const plan = planned.plan;
    const inputFiles: string[] = [];
    // The files the layout reads (guest images, initrds), for `hvcc run`'s stamp.
    const readInput: NonNullable<LayoutInput['readFile']> = (p, ref) => {
      const read = readBytes(p, ref);
      if (read.ok) inputFiles.push(p);
      return read;
    };
    const laid = timed(t, 'layout (memory map, tables, guest device trees)', () => layoutSystem({ system, plan, readFile: readInput, stackBytes }));
    result.inputFiles = inputFiles;
    append(diagnostics, laid.diagnostics);
    if (laid.layout) partial.layout = laid.layout;
    if (!hasErrors(diagnostics)) result.layout = laid.layout;
  } catch (e) {
    if (!(e instanceof TableConflictError)) throw e;
    diagnostics.push(diagnostic(buildMessages.internalError, `translation tables: ${e.message}`, undefined, { notes: ['the checks should have caught this conflict; please report it'] }));
  }
  return result;
}
