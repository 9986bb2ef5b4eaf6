import { defineMessages } from '../diagnostics/define.js';

/** What only the layout pass (and the link step after it) can find out: images, placement, sizes (HV3xxx). */
export const layoutMessages = defineMessages({
  guestArchitecture: {
    code: 'HV3020',
    name: 'guest-architecture',
    severity: 'error',
    summary: "A guest's image is a program for another architecture than the board's (its ELF machine is another backend's).",
  },
  entryOutsideImage: {
    code: 'HV3013',
    name: 'entry-outside-memory',
    severity: 'error',
    summary: "A guest's entry point is not inside its RAM.",
  },
  guestDtbFit: {
    code: 'HV3036',
    name: 'guest-dtb-fit',
    severity: 'error',
    summary: "The guest's generated device tree does not fit in its RAM after the image (and initrd).",
  },
  hypervisorRegionEstimate: {
    code: 'HV3027',
    name: 'hypervisor-region-too-small',
    severity: 'error',
    summary: "The hypervisor's memory cannot hold even its stacks, translation tables and the guest images it carries.",
  },
  imageFormat: {
    code: 'HV3011',
    name: 'image-format',
    severity: 'error',
    summary: "A guest's image is not in a recognized format (an ELF64 file for the board's architecture, the architecture's kernel image, or a raw binary with a load-address).",
  },
  imageMissing: {
    code: 'HV3010',
    name: 'image-missing',
    severity: 'error',
    summary: "A guest's image file does not exist or cannot be read.",
  },
  imageOutsideMemory: {
    code: 'HV3012',
    name: 'image-outside-memory',
    severity: 'error',
    summary: "Part of a guest's image would load outside the guest's RAM.",
  },
  initrdFit: {
    code: 'HV3035',
    name: 'initrd-fit',
    severity: 'error',
    summary: "A guest's initrd does not fit in its RAM after the kernel image.",
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
});
