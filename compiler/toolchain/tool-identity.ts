import { existsSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { sha256, writeFileAtomic } from './cache.js';
import { runTool } from './tools.js';

/** The file `program` names on $PATH (after symbolic links), or undefined when it is not there. */
function locate(program: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    try {
      if (statSync(candidate).isFile()) return realpathSync(candidate);
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/**
 * What `program args` prints (`clang-14 --version`, `-print-effective-triple`), remembered in the cache
 * folder under the identity of the program's file (its real path, size, modification time and inode):
 * a build asks the same question of the same compiler every time, and a process start costs more than the
 * answer. A reinstalled or upgraded program is a different file, so it is asked again.
 */
export function toolAnswer(program: string, args: readonly string[], cacheDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const ask = () => runTool(program, args, { verbose: false, write: () => {} });
  const file = locate(program, env);
  if (!file) return ask(); // runTool reports a missing program (HV5001)
  const st = statSync(file);
  const key = sha256('tool-answer', file, String(st.size), String(st.mtimeMs), String(st.ino), ...args);
  const path = join(cacheDir, 'tools', `${key}.txt`);
  if (existsSync(path)) return readFileSync(path, 'utf8');
  const answer = ask();
  mkdirSync(join(cacheDir, 'tools'), { recursive: true });
  writeFileAtomic(path, answer);
  return answer;
}
