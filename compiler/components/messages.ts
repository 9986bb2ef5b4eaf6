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
  bindingInvalid: {
    code: 'HV4008',
    name: 'component-binding',
    severity: 'error',
    summary: "A component's binding file (binding.json) is not valid JSON, does not match the binding schema, or declares a binding another one declares already.",
  },
  parameterInvalid: {
    code: 'HV4009',
    name: 'component-parameter',
    severity: 'error',
    summary: "A device's node lacks a property a parameter of its component needs (and the parameter has no default), or the property's value has the wrong shape.",
  },
  searchPathMissing: {
    code: 'HV4010',
    name: 'component-path',
    severity: 'error',
    summary: 'A folder of the component search path (--components, HVCC_COMPONENT_PATH) does not exist.',
  },
  capabilityInvalid: {
    code: 'HV4011',
    name: 'component-capability',
    severity: 'error',
    summary: "A component's declared capability names a Kconfig symbol that is not an int, or has no value.",
  },
  guestNeverStarts: {
    code: 'HV4012',
    name: 'guest-never-starts',
    severity: 'warning',
    summary: "A guest is declared not to start at boot (no-autostart), but the image has no management terminal commands that could start it.",
  },
  noHostDriver: {
    code: 'HV4013',
    name: 'no-host-driver',
    severity: 'error',
    summary: 'A node under /hypervisor (a disk, a network) has a compatible no host driver serves.',
  },
});
