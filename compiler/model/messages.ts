import { defineMessages } from '../diagnostics/define.js';

/** The description model: what nodes and properties must be and contain (HV2xxx). */
export const modelMessages = defineMessages({
  missingProperty: {
    code: 'HV2001',
    name: 'missing-property',
    severity: 'error',
    summary: 'A node lacks a property its binding requires.',
  },
  propertyType: {
    code: 'HV2002',
    name: 'property-type',
    severity: 'error',
    summary: 'A property has the wrong type or cell shape for its binding.',
  },
  missingNode: {
    code: 'HV2003',
    name: 'missing-node',
    severity: 'error',
    summary: 'The description lacks a node it must have (e.g. /cpus, memory, /hypervisor).',
  },
  badReference: {
    code: 'HV2004',
    name: 'bad-reference',
    severity: 'error',
    summary: 'A phandle or path refers to a node that does not exist, or to the wrong kind of node.',
  },
  unknownGuestNode: {
    code: 'HV2005',
    name: 'unknown-guest-node',
    severity: 'error',
    summary: 'A child of /guests is not a guest: its compatible is not "hvcc,guest" (a misspelling would make a guest vanish).',
  },
  propertyValue: {
    code: 'HV2007',
    name: 'property-value',
    severity: 'error',
    summary: 'A property has a value its binding does not allow (not one of the allowed values, out of range, too short).',
  },
  unknownProperty: {
    code: 'HV2006',
    name: 'unknown-property',
    severity: 'warning',
    summary: 'An hvcc node has a property its binding does not define (probably a typo).',
  },
  misplacedGuest: {
    code: 'HV2008',
    name: 'misplaced-guest',
    severity: 'error',
    summary: 'A node with compatible "hvcc,guest" is not a child of /guests, so it is not a guest (and not board hardware either).',
  },
  memoryOverlap: {
    code: 'HV2009',
    name: 'board-memory-overlap',
    severity: 'error',
    summary: "The board's memory nodes describe overlapping RAM.",
  },
  hypervisorNode: {
    code: 'HV2010',
    name: 'hypervisor-node',
    severity: 'error',
    summary: 'The /hypervisor node is not compatible with "hvcc,hypervisor", or a node compatible with it is not /hypervisor.',
  },
  memoryRegionNotReserved: {
    code: 'HV2011',
    name: 'memory-region-not-reserved',
    severity: 'error',
    summary: "The hypervisor's memory-region is not a node under /reserved-memory (board RAM, say): its RAM must be carved out of the board's.",
  },
});
