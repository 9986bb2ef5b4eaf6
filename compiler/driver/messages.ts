import { defineMessages } from '../diagnostics/define.js';

export const buildMessages = defineMessages({
  fileNotFound: {
    code: 'HV0001',
    name: 'file-not-found',
    severity: 'error',
    summary: 'The description file given on the command line does not exist or cannot be read.',
  },
  internalError: {
    code: 'HV0002',
    name: 'internal-error',
    severity: 'error',
    summary: 'hvcc itself failed (a bug): the message says where; please report it.',
  },
  usage: {
    code: 'HV0003',
    name: 'usage',
    severity: 'error',
    summary: 'The command line is not valid.',
  },
});
