import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../paths.js';
import { diagnostic } from '../diagnostics/define.js';
import { toolchainMessages as M } from './messages.js';
import { runTool, ToolError, type ToolLog } from './tools.js';

/**
 * The worker is a module of its own (it loads the native addon) and is never bundled: beside this module
 * when it runs as tsc emitted it, in dist/compiler/toolchain/ when it runs from the bundled CLI.
 */
function workerPath(): string {
  const sibling = join(dirname(fileURLToPath(import.meta.url)), 'link-worker.js');
  return existsSync(sibling) ? sibling : join(packageRoot, 'dist', 'compiler', 'toolchain', 'link-worker.js');
}
const worker = workerPath();

/**
 * Links the generated configuration module with the runtime's bitcode through llvm-bindings.
 * The text module is first checked by llvm-as-14, which reports IR syntax errors with a location, because
 * llvm-bindings' parser gives no message and crashes on the module it fails to parse.
 */
export function linkModules(inputs: readonly string[], output: string, log: ToolLog, scratchBc: string): void {
  for (const input of inputs) {
    if (input.endsWith('.ll')) runTool('llvm-as-14', [input, '-o', scratchBc], log);
  }
  if (log.verbose) log.write(`  llvm-bindings link ${inputs.join(' ')} -> ${output}`);
  const result = spawnSync(process.execPath, [worker, output, ...inputs], { encoding: 'utf8' });
  if (result.status === 0) return;
  const why = result.signal ? `the linker process died (${result.signal})` : `exit ${result.status}`;
  const def = result.status === 4 ? M.verifyFailed : M.linkFailed;
  throw new ToolError(
    diagnostic(def, `linking the configuration module with the runtime failed: ${why}`, undefined, {
      notes: [(result.stderr || result.stdout || '').trim().split('\n').slice(0, 20).join('\n')].filter((n) => n.length > 0),
      help: result.stderr.includes('multiply defined') ? 'two runtime components define the same symbol; rename one or make it static' : undefined,
    }),
  );
}
