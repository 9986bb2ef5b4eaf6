import { readFileSync } from 'node:fs';
import type { BindingSet } from '../../schemas/bindings/dt.js';
import type { System } from '../../schemas/model.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { parseDts } from '../dts/index.js';
import type { DtsParser } from '../dts/parser.js';
import { buildModel } from '../model/build-model.js';
import { buildMessages as M } from './messages.js';

export interface FrontEndOptions {
  includeDirs?: string[];
  /** Reads a source file (default: the file system); lets tests and `hvcc explain` check text in memory. */
  readFile?: (path: string) => string | undefined;
  /** Check names switched off (`-W no-<name>`): dtc's checks here, hvcc's in the checks pass. */
  disabled?: ReadonlySet<string>;
  /** hvcc's and the components' bindings (the component catalogue's). */
  bindings: BindingSet;
  /** A device-tree parser to reuse, for callers that read many descriptions (see parseDts). */
  parser?: DtsParser;
}

export interface FrontEndResult {
  system?: System;
  diagnostics: Diagnostic[];
  /** Text of every source file read, for code frames. */
  sources: Map<string, string>;
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Reads a description: the device-tree front end (with dtc's checks), then the model. Every problem comes
 * back as a diagnostic. The model comes back whenever the tree could be read, even with errors in it (so
 * later passes can report more); callers that build must check for errors.
 */
export function readSystem(file: string, options: FrontEndOptions): FrontEndResult {
  const read = options.readFile ?? readIfExists;
  if (read(file) === undefined) {
    return { diagnostics: [diagnostic(M.fileNotFound, `cannot read '${file}'`)], sources: new Map() };
  }
  // `-W no-<name>` reaches dtc's checks as well as hvcc's; names hvcc does not know are dtc's business.
  const dtcLevels = Object.fromEntries([...(options.disabled ?? [])].map((name) => [name, 'off' as const]));
  const parsed = parseDts(file, { includeDirs: options.includeDirs ?? [], readFile: read, checks: dtcLevels, allChecks: true, ...(options.parser ? { parser: options.parser } : {}) });
  const diagnostics = [...parsed.diagnostics];
  if (!parsed.tree || hasErrors(diagnostics)) return { diagnostics, sources: parsed.sources };
  const model = buildModel(parsed.tree, file, options.bindings);
  diagnostics.push(...model.diagnostics);
  if (!model.system) return { diagnostics, sources: parsed.sources };
  return { system: model.system, diagnostics, sources: parsed.sources };
}
