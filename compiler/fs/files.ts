import * as fs from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic, type MessageDef } from '../diagnostics/define.js';
import type { Span } from '../diagnostics/span.js';
import { fsMessages as M } from './messages.js';

/**
 * The one way the compiler reads and writes files. Every failure of the file system (ENOENT, EISDIR,
 * ENOTDIR, EEXIST, EACCES, EROFS, ENOSPC, ...) comes back as a diagnostic with a stable code (HV0004-HV0008,
 * see messages.ts) that says which file, what it was for, where its path was written and why it failed —
 * never as an exception that ends in "internal error".
 *
 * Functions return a `FileResult`; code that prefers exceptions (a pipeline with one try/catch) can use
 * `orThrow` and catch `FileError`, which carries the diagnostic.
 */

/** What a path is for, to say so when it fails. */
export interface FileRef {
  /** A noun phrase: "the guest image", "the include file", "the output folder" (default: "the file" or "the folder"). */
  what?: string;
  /** Whose file it is, said after the path: "of guest 'alpha'" gives "cannot read the image '...' of guest 'alpha'". */
  of?: string;
  /** Where the path was written (a property's value in a description), for the code frame. */
  span?: Span;
  /** The path as the user wrote it (default: the path given). */
  written?: string;
  /** The message to report when the path does not exist (default HV0004 not-found). */
  notFound?: MessageDef;
  /** A help line for every failure (default: one suited to the failure). */
  help?: string;
}

/** read: a file's bytes; write: a file; create: a folder; rename: moving a file into place. */
export type Operation = 'read' | 'write' | 'create' | 'rename';

export type FileResult<T> = { ok: true; value: T } | { ok: false; failure: FileFailure; diagnostic: Diagnostic };

/** A failed file-system operation, before it is told what the file was for (`diagnostic(ref)`). */
export class FileFailure {
  constructor(
    readonly path: string,
    /** The system's error code: 'ENOENT', 'EISDIR', ... */
    readonly errno: string,
    readonly operation: Operation,
    /** The system's own words, for codes without a sentence of ours. */
    readonly systemMessage: string,
  ) {}

  /** Nothing is there (or a folder on the way is a file): a search may go on to its next candidate. */
  get missing(): boolean {
    return this.errno === 'ENOENT' || (this.errno === 'ENOTDIR' && this.operation === 'read');
  }

  diagnostic(ref: FileRef = {}): Diagnostic {
    return failureDiagnostic(this, ref);
  }

  /** The C library's words for the failure (strerror), for tools that print them as their originals do (dtc). */
  get strerror(): string {
    return STRERROR[this.errno] ?? this.systemMessage;
  }
}

const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EEXIST: 'File exists',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  EDQUOT: 'Disk quota exceeded',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  EIO: 'Input/output error',
  EFTYPE: 'Inappropriate file type or format',
  EFBIG: 'File too large',
};

/** An exception carrying a file-system diagnostic (see `orThrow`). */
export class FileError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

/** Whether `e` is an error the file system raised (it has an errno code and a system call). */
export function isFileSystemError(e: unknown): e is NodeJS.ErrnoException {
  // Not `instanceof Error`: an error from another realm (a vm context, as under jest) is not one.
  if (typeof e !== 'object' || e === null) return false;
  const x = e as NodeJS.ErrnoException;
  return typeof x.code === 'string' && /^E[A-Z0-9]+$/.test(x.code) && typeof x.syscall === 'string';
}

/** The failure an exception of the file system describes; anything else is thrown on (it is a bug). */
export function failureOf(e: unknown, path: string, operation: Operation): FileFailure {
  // Node refuses a path with a NUL in it before the system sees it (the C library would end the name there).
  if (typeof e === 'object' && e !== null && (e as NodeJS.ErrnoException).code === 'ERR_INVALID_ARG_VALUE' && path.includes('\0')) return new FileFailure(path, 'EINVAL', operation, 'the path has a NUL character in it');
  // Node reads a file into one buffer, of at most 2 GiB.
  if (typeof e === 'object' && e !== null && (e as NodeJS.ErrnoException).code === 'ERR_FS_FILE_TOO_LARGE') return new FileFailure(path, 'EFBIG', operation, 'the file is larger than 2 GiB');
  if (!isFileSystemError(e)) throw e;
  const text = (e.message ?? '').replace(/^E[A-Z0-9]+: /, '').replace(/, \w+ '.*'$/, '').replace(/, \w+$/, '');
  return new FileFailure(path, e.code!, operation, text);
}

const SYSCALL_OPERATION: Record<string, Operation> = { mkdir: 'create', rename: 'rename', write: 'write', copyfile: 'write', unlink: 'write', rmdir: 'write', rm: 'write', symlink: 'write', link: 'write', chmod: 'write' };

/**
 * The diagnostic for a file-system exception that reached the command line from code that did not say
 * which file of the description it was for: the path and the reason when the system gave them, and a note
 * that this is a place hvcc should report better.
 */
export function fileSystemDiagnostic(e: NodeJS.ErrnoException): Diagnostic {
  const operation = SYSCALL_OPERATION[e.syscall ?? ''] ?? (e.syscall === 'open' && /EISDIR|EEXIST/.test(e.code ?? '') ? 'write' : 'read');
  const failure = failureOf(e, e.path ?? '', operation);
  const d = failure.diagnostic(e.path ? {} : { what: 'a file', written: '' });
  d.notes.push(`hvcc did not say ${e.path ? 'what this file was for' : 'which file this was'} (${e.syscall} failed): please report it, with the command line`);
  return d;
}

function fail<T>(failure: FileFailure, ref: FileRef): FileResult<T> {
  return { ok: false, failure, diagnostic: failure.diagnostic(ref) };
}

/** The value of a result, or a thrown FileError. */
export function orThrow<T>(result: FileResult<T>): T {
  if (!result.ok) throw new FileError(result.diagnostic);
  return result.value;
}

/** The first of `path` and the folders above it that exists but is not a folder (what ENOTDIR/EEXIST mean). */
function fileInTheWay(path: string): string | undefined {
  const chain: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    chain.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of chain) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(p);
    } catch {
      return undefined;
    }
    if (!st.isDirectory()) return p;
  }
  return undefined;
}

/** The nearest folder above `path` that does not exist, when it is not `path`'s own folder's problem. */
function missingFolder(path: string): string | undefined {
  let missing: string | undefined;
  for (let p = dirname(resolve(path)); dirname(p) !== p; p = dirname(p)) {
    if (fs.existsSync(p)) break;
    missing = p;
  }
  return missing;
}

const VERB: Record<Operation, string> = { read: 'read', write: 'write', create: 'create', rename: 'replace' };

function failureDiagnostic(f: FileFailure, ref: FileRef): Diagnostic {
  const folderish = f.operation === 'create';
  const what = ref.what ?? (folderish ? 'the folder' : 'the file');
  const shown = ref.written ?? f.path;
  const owner = ref.of ? ` ${ref.of}` : '';
  const head = shown === '' ? `cannot ${VERB[f.operation]} ${what}${owner}` : `cannot ${VERB[f.operation]} ${what} '${shown}'${owner}`;
  const notes: string[] = [];
  // A path written in a description is relative to the file that names it: say where that led.
  if (ref.span && ref.written !== undefined && ref.written !== resolve(f.path)) notes.push(`the path is ${resolve(f.path)}`);
  let def: MessageDef = M.ioError;
  let reason = f.systemMessage;
  let help: string | undefined;
  switch (f.errno) {
    case 'ENOENT': {
      const gone = missingFolder(f.path);
      def = f.operation === 'read' ? (ref.notFound ?? M.notFound) : M.notFound;
      if (f.operation === 'read') reason = gone === undefined ? 'no such file' : `no such file (the folder '${gone}' does not exist)`;
      else reason = gone === undefined ? 'no such file or folder' : `the folder '${gone}' does not exist`;
      help = ref.span ? 'check the spelling; a relative path is relative to the folder of the file that names it' : 'check the spelling; a relative path is relative to the current folder';
      break;
    }
    case 'ENOTDIR':
    case 'EEXIST': {
      def = M.notFolder;
      const culprit = fileInTheWay(f.path);
      reason = culprit === undefined ? 'a part of the path is a file, not a folder' : culprit === resolve(f.path) ? 'it is a file, not a folder' : `'${culprit}' is a file, not a folder`;
      help = folderish || culprit === resolve(f.path) ? 'name a folder (it is created when it does not exist), or move the file away' : 'name a path whose folders are folders';
      break;
    }
    case 'EISDIR':
      def = M.isFolder;
      reason = 'it is a folder, not a file';
      help = 'name a file, not a folder';
      break;
    case 'EACCES':
    case 'EPERM':
      def = M.permissionDenied;
      reason = 'permission denied';
      help = `check the permissions of '${shown}' and of the folders leading to it`;
      break;
    case 'EROFS':
      def = M.permissionDenied;
      reason = 'the file system is read-only';
      help = 'write somewhere else (for the build outputs: -O DIR)';
      break;
    case 'ENOSPC':
      reason = 'no space left on the device';
      break;
    case 'EDQUOT':
      reason = 'the disk quota is exceeded';
      break;
    case 'ELOOP':
      reason = 'too many levels of symbolic links (a link that points to itself?)';
      break;
    case 'ENAMETOOLONG':
      reason = 'the name is too long';
      break;
    case 'EMFILE':
    case 'ENFILE':
      reason = 'too many files are open';
      break;
    case 'EIO':
      reason = 'input/output error';
      break;
    case 'EFTYPE':
      reason = f.systemMessage === 'not a regular file' ? 'it is not a regular file' : `it is ${f.systemMessage}, not a regular file`;
      help = 'name a regular file: hvcc does not read devices, named pipes or sockets, which may never end';
      break;
    case 'EFBIG':
      reason = 'it is larger than 2 GiB, more than hvcc reads';
      break;
    case 'EINVAL':
      reason = f.systemMessage;
      help = 'a path cannot contain a NUL character (written \\0 or \\x00)';
      break;
    default:
      reason = `${f.systemMessage || 'it failed'} (${f.errno})`;
  }
  return diagnostic(def, `${head}: ${reason}`, ref.span, { notes, ...((ref.help ?? help) !== undefined ? { help: ref.help ?? help } : {}) });
}

/**
 * A file's bytes, or why they cannot be read (a folder is EISDIR). Only a regular file is read, unless
 * `special` allows any file: opening a named pipe waits for a writer that may never come, and a device such
 * as /dev/zero never ends, so a description naming one would hang a build or a CI check.
 */
export function tryReadBytes(path: string, options: { special?: boolean } = {}): Uint8Array | FileFailure {
  try {
    if (!options.special) {
      const st = fs.statSync(path);
      if (!st.isFile() && !st.isDirectory()) return new FileFailure(path, 'EFTYPE', 'read', specialKind(st));
    }
    return new Uint8Array(fs.readFileSync(path));
  } catch (e) {
    return failureOf(e, path, 'read');
  }
}

function specialKind(st: fs.Stats): string {
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

export function readBytes(path: string, ref: FileRef = {}): FileResult<Uint8Array> {
  const r = tryReadBytes(path);
  return r instanceof FileFailure ? fail(r, ref) : { ok: true, value: r };
}

export function readText(path: string, ref: FileRef = {}, encoding: BufferEncoding = 'utf8'): FileResult<string> {
  const r = tryReadBytes(path);
  return r instanceof FileFailure ? fail(r, ref) : { ok: true, value: Buffer.from(r.buffer, r.byteOffset, r.byteLength).toString(encoding) };
}

/** Creates a folder and the folders above it; an existing folder is fine, an existing file is HV0006. */
export function makeFolder(path: string, ref: FileRef = {}): FileResult<void> {
  try {
    fs.mkdirSync(path, { recursive: true });
    if (!fs.statSync(path).isDirectory()) return fail(new FileFailure(path, 'EEXIST', 'create', 'file exists'), ref);
    return { ok: true, value: undefined };
  } catch (e) {
    return fail(failureOf(e, path, 'create'), ref);
  }
}

/** Writes a file into an existing folder; the failure when it cannot. */
export function tryWriteFile(path: string, data: string | Uint8Array, encoding: BufferEncoding = 'utf8'): FileFailure | undefined {
  try {
    fs.writeFileSync(path, data, typeof data === 'string' ? { encoding } : undefined);
    return undefined;
  } catch (e) {
    return failureOf(e, path, 'write');
  }
}

/** Writes a file, creating the folders above it. */
export function writeFile(path: string, data: string | Uint8Array, ref: FileRef = {}, encoding: BufferEncoding = 'utf8'): FileResult<void> {
  const parent = makeFolder(dirname(path));
  // Said of the file being written (its folder is only the reason): "'out' is a file, not a folder".
  if (!parent.ok) return fail(new FileFailure(path, parent.failure.errno === 'EEXIST' ? 'ENOTDIR' : parent.failure.errno, 'write', parent.failure.systemMessage), ref);
  const failure = tryWriteFile(path, data, encoding);
  return failure ? fail(failure, ref) : { ok: true, value: undefined };
}

/**
 * Writes a file whole or not at all: into a temporary file next to it, renamed over it once written (a
 * reader never sees half a file, and a failed write leaves the old one).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, ref: FileRef = {}, encoding: BufferEncoding = 'utf8'): FileResult<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const written = writeFile(tmp, data, { ...ref, written: ref.written ?? path }, encoding);
  if (!written.ok) return written;
  return renameFile(tmp, path, ref);
}

/** Moves a file or folder into place (replacing a file there); on failure the source is removed. */
export function renameFile(from: string, to: string, ref: FileRef = {}): FileResult<void> {
  try {
    fs.renameSync(from, to);
    return { ok: true, value: undefined };
  } catch (e) {
    const failure = failureOf(e, to, 'rename');
    fs.rmSync(from, { force: true, recursive: true });
    return fail(failure, ref);
  }
}

/**
 * Whether `path` can become an output folder, without creating anything: it is a folder, or it does not
 * exist and the nearest existing folder above it is a writable folder. A diagnostic when it cannot.
 */
export function checkOutputFolder(path: string, ref: FileRef = {}): Diagnostic | undefined {
  const r = { what: 'the output folder', ...ref };
  const abs = resolve(path);
  let existing = abs;
  while (!fs.existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  let st: fs.Stats;
  try {
    st = fs.statSync(existing);
  } catch (e) {
    return failureOf(e, abs, 'create').diagnostic(r);
  }
  if (!st.isDirectory()) return new FileFailure(abs, existing === abs ? 'EEXIST' : 'ENOTDIR', 'create', 'not a folder').diagnostic(r);
  try {
    fs.accessSync(existing, fs.constants.W_OK | fs.constants.X_OK);
  } catch (e) {
    return failureOf(e, abs, existing === abs ? 'write' : 'create').diagnostic(r);
  }
  return undefined;
}

/** A path's kind, without following a failure into an exception. */
export function pathKind(path: string): 'file' | 'folder' | 'other' | 'missing' {
  try {
    const st = fs.statSync(path);
    return st.isDirectory() ? 'folder' : st.isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}
