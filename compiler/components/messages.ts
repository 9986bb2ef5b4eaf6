import { defineMessages } from '../diagnostics/define.js';

export const componentMessages = defineMessages({
  manifestInvalid: {
    code: 'HV4001',
    name: 'component-manifest',
    severity: 'error',
    summary: 'A runtime component manifest (manifest.json) is not valid JSON or does not match the manifest schema.',
  },
  duplicateComponent: {
    code: 'HV4002',
    name: 'component-duplicate',
    severity: 'error',
    summary: 'Two runtime components have the same name.',
  },
  missingNeed: {
    code: 'HV4003',
    name: 'component-need-missing',
    severity: 'error',
    summary: 'A runtime component needs another component that does not exist.',
  },
  noArch: {
    code: 'HV4004',
    name: 'no-arch-port',
    severity: 'error',
    summary: "No architecture port supports the board's CPUs.",
  },
  noConsoleDriver: {
    code: 'HV4005',
    name: 'no-console-driver',
    severity: 'error',
    summary: "No host driver serves the hypervisor console's device.",
  },
  noEmulator: {
    code: 'HV4006',
    name: 'unknown-compatible',
    severity: 'error',
    summary: 'A guest device has a compatible string no device emulator provides.',
  },
  componentDisabled: {
    code: 'HV4007',
    name: 'component-disabled',
    severity: 'error',
    summary: 'The description needs a runtime component whose Kconfig symbol is off.',
  },
});
