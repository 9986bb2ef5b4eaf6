import type { ArchBackend } from './backend.js';
import { aarch64 } from './aarch64/index.js';
import { riscv64 } from './riscv64/index.js';

/**
 * The architecture backends the compiler has. The plan chooses one by the `arch` of the architecture
 * component (runtime/arch/<name>/manifest.json) that serves the board's CPUs.
 */
export const archBackends: readonly ArchBackend[] = [aarch64, riscv64];

export function archBackend(name: string): ArchBackend | undefined {
  return archBackends.find((b) => b.name === name);
}
