import { defineMessages } from '../diagnostics/define.js';

/** System checks and layout failures (HV3xxx). The checks themselves are in checks/catalogue.ts. */
export const checkMessages = defineMessages({
  guestMemoryOverlap: {
    code: 'HV3001',
    name: 'guest-memory-overlap',
    severity: 'error',
    summary: "A guest's host memory overlaps another guest's.",
  },
  hypervisorMemoryOverlap: {
    code: 'HV3002',
    name: 'hypervisor-memory-overlap',
    severity: 'error',
    summary: "A guest's host memory overlaps the hypervisor's own memory.",
  },
  memoryOutsideRam: {
    code: 'HV3003',
    name: 'memory-outside-ram',
    severity: 'error',
    summary: "Memory given to the hypervisor or a guest is not inside the board's RAM.",
  },
  cpuShared: {
    code: 'HV3004',
    name: 'cpu-shared',
    severity: 'error',
    summary: 'A physical CPU is given to two vCPUs (of two guests, or twice to one guest).',
  },
  memoryAlignment: {
    code: 'HV3005',
    name: 'memory-alignment',
    severity: 'error',
    summary: 'A memory region or device window is not aligned to the 4 KiB translation granule.',
  },
  guestIpaOverlap: {
    code: 'HV3006',
    name: 'guest-address-overlap',
    severity: 'error',
    summary: "Two regions in one guest's physical address space (RAM or device windows) overlap.",
  },
  ipaRange: {
    code: 'HV3007',
    name: 'guest-address-range',
    severity: 'error',
    summary: 'A guest-physical address is beyond the 39-bit guest address space.',
  },
  noVcpus: {
    code: 'HV3008',
    name: 'guest-no-vcpus',
    severity: 'error',
    summary: 'A guest has no vCPUs (its `cpus` list is empty).',
  },
  noMemory: {
    code: 'HV3009',
    name: 'guest-no-memory',
    severity: 'error',
    summary: 'A guest has no memory regions.',
  },
  imageMissing: {
    code: 'HV3010',
    name: 'image-missing',
    severity: 'error',
    summary: "A guest's image file does not exist or cannot be read.",
  },
  imageFormat: {
    code: 'HV3011',
    name: 'image-format',
    severity: 'error',
    summary: "A guest's image is not in a recognized format (ELF64 AArch64, or a raw binary with a load-address).",
  },
  imageOutsideMemory: {
    code: 'HV3012',
    name: 'image-outside-memory',
    severity: 'error',
    summary: "Part of a guest's image would load outside the guest's RAM.",
  },
  entryOutsideImage: {
    code: 'HV3013',
    name: 'entry-outside-memory',
    severity: 'error',
    summary: "A guest's entry point is not inside its RAM.",
  },
  memoryPlacement: {
    code: 'HV3014',
    name: 'memory-placement',
    severity: 'error',
    summary: "A guest's memory cannot be placed: the board's free RAM has no room for it.",
  },
  hypervisorTooLarge: {
    code: 'HV3015',
    name: 'hypervisor-region-size',
    severity: 'error',
    summary: "The built hypervisor image does not fit in the hypervisor's memory region.",
  },
  tooManyCpus: {
    code: 'HV3016',
    name: 'runtime-cpu-limit',
    severity: 'error',
    summary: 'The system uses more physical CPUs than the runtime is configured for (CONFIG_HV_MAX_CPUS).',
  },
  consoleMissing: {
    code: 'HV3017',
    name: 'console-missing',
    severity: 'error',
    summary: "The hypervisor's console names a device the board does not have.",
  },
  deviceOverlapsDevice: {
    code: 'HV3018',
    name: 'emulated-device-overlap',
    severity: 'error',
    summary: "Two emulated devices' windows overlap in one guest.",
  },
  noGuests: {
    code: 'HV3019',
    name: 'no-guests',
    severity: 'warning',
    summary: 'The system has no guests: the hypervisor would boot and power off at once.',
  },
  vcpuLimit: {
    code: 'HV3020',
    name: 'cpu-out-of-range',
    severity: 'error',
    summary: "A guest's `cpus` entry is not one of the board's CPUs.",
  },
});
