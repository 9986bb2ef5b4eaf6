import type { BindingSet } from '../../schemas/bindings/dt.js';
import type { System } from '../../schemas/model.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { parseDts } from '../dts/index.js';
import { defaultReadFile, type ReadFile } from '../dts/source.js';
import { FileFailure } from '../fs/files.js';
import type { DtsParser } from '../dts/parser.js';
import { buildModel } from '../model/build-model.js';
import { buildMessages as M } from './messages.js';
import { timed, type Timings } from '../util/timings.js';
import { append } from '../util/arrays.js';

export interface FrontEndOptions {
  includeDirs?: string[];
  /**
   * Reads a source file (default: the file system, through compiler/fs); lets tests and `hvcc explain` check
   * text in memory. undefined: no such file; a FileFailure: why it cannot be read, reported where it is named.
   */
  readFile?: ReadFile;
  /** Check names switched off (`-W no-<name>`): dtc's checks here, hvcc's in the checks pass. */
  disabled?: ReadonlySet<string>;
  /** hvcc's and the components' bindings (the component catalogue's). */
  bindings: BindingSet;
  /** A device-tree parser to reuse, for callers that read many descriptions (see parseDts). */
  parser?: DtsParser;
  timings?: Timings | undefined;
}

export interface FrontEndResult {
  system?: System;
  diagnostics: Diagnostic[];
  /** Text of every source file read, for code frames. */
  sources: Map<string, string>;
}


/**
 * Reads a description: the device-tree front end (with dtc's checks), then the model. Every problem comes
 * back as a diagnostic. The model comes back whenever the tree could be read, even with errors in it (so
 * later passes can report more); callers that build must check for errors.
 */
export function readSystem(file: string, options: FrontEndOptions): FrontEndResult {
  const read = options.readFile ?? defaultReadFile;
  const entry = read(file);
  if (entry instanceof FileFailure) return { diagnostics: [entry.diagnostic({ what: 'the description', notFound: M.fileNotFound })], sources: new Map() };
  if (entry === undefined) return { diagnostics: [diagnostic(M.fileNotFound, `cannot read the description '${file}': no such file`)], sources: new Map() };
  // `-W no-<name>` reaches dtc's checks as well as hvcc's; names hvcc does not know are dtc's business.
  const dtcLevels = Object.fromEntries([...(options.disabled ?? [])].map((name) => [name, 'off' as const]));
  const parsed = timed(options.timings, 'device tree (preprocess, parse, evaluate, dtc checks)', () =>
    parseDts(file, { includeDirs: options.includeDirs ?? [], readFile: read, checks: dtcLevels, allChecks: true, ...(options.parser ? { parser: options.parser } : {}) }),
  );
  const diagnostics = [...parsed.diagnostics];
  if (!parsed.tree || hasErrors(diagnostics)) return { diagnostics, sources: parsed.sources };
  const tree = parsed.tree;
  const model = timed(options.timings, 'model', () => buildModel(tree, file, options.bindings));
  append(diagnostics, model.diagnostics);
  if (!model.system) return { diagnostics, sources: parsed.sources };
  return { system: model.system, diagnostics, sources: parsed.sources };
}
