import { defineMessages } from '../diagnostics/define.js';

/**
 * File-system failures (HV0004-HV0008), one code per kind of failure whatever the file is: a guest image, an
 * included file, a `--config` file, the `-O` folder. compiler/fs/files.ts makes them from the system's error
 * codes (ENOENT, EISDIR, ENOTDIR, EEXIST, EACCES, ...), with the place the path was written when it was.
 */
export const fsMessages = defineMessages({
  notFound: {
    code: 'HV0004',
    name: 'not-found',
    severity: 'error',
    summary: 'A file or folder that the description or the command line names does not exist.',
  },
  isFolder: {
    code: 'HV0005',
    name: 'is-a-folder',
    severity: 'error',
    summary: 'A path that must name a file names a folder.',
  },
  notFolder: {
    code: 'HV0006',
    name: 'not-a-folder',
    severity: 'error',
    summary: 'A path that must name a folder (an output folder, or a folder on the way to a file) names a file.',
  },
  permissionDenied: {
    code: 'HV0007',
    name: 'permission-denied',
    severity: 'error',
    summary: 'hvcc may not read or write a file or folder (its permissions, or a read-only file system).',
  },
  ioError: {
    code: 'HV0008',
    name: 'io-error',
    severity: 'error',
    summary: 'Reading or writing a file failed for another reason (disk full, I/O error, too many symbolic links, name too long, a device or a named pipe, ...).',
  },
});
