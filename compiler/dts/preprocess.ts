import { spawnSync } from 'node:child_process';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { M } from './messages.js';
import type { SourceLoader } from './source.js';

/** 'auto' mode: preprocess when some line starts with a cpp directive (#include, #define, #if...). */
export function wantsPreprocessor(text: string): boolean {
  return /^[ \t]*#[ \t]*(include|define|undef|if|ifdef|ifndef|elif|else|endif|error|pragma)\b/m.test(text);
}

export interface PreprocessOptions {
  includeDirs?: string[];
  defines?: string[] | Record<string, string | number | boolean>;
  cpp?: string;
}

export function preprocessDts(entry: string, loader: SourceLoader, options: PreprocessOptions, diags: Diagnostic[]): string | undefined {
  void entry;
  void loader;
  void options;
  diags.push(diagnostic(M.preprocessor, 'the C preprocessor is not wired up yet'));
  return undefined;
}
