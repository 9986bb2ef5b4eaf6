import { defineMessages } from '../diagnostics/define.js';

export const toolchainMessages = defineMessages({
  toolMissing: {
    code: 'HV5001',
    name: 'tool-missing',
    severity: 'error',
    summary: 'A toolchain program (clang-14, llvm-as-14, ld.lld-14) is not installed.',
  },
  toolFailed: {
    code: 'HV5002',
    name: 'tool-failed',
    severity: 'error',
    summary: 'A toolchain program failed; its own messages follow.',
  },
  linkFailed: {
    code: 'HV5003',
    name: 'ir-link-failed',
    severity: 'error',
    summary: 'Linking the configuration module with the runtime bitcode failed (for example a symbol defined twice).',
  },
  verifyFailed: {
    code: 'HV5004',
    name: 'ir-verify-failed',
    severity: 'error',
    summary: 'The linked LLVM module did not pass the IR verifier.',
  },
  outputFailed: {
    code: 'HV5005',
    name: 'output-write',
    severity: 'error',
    summary: 'An output file could not be written.',
  },
});
