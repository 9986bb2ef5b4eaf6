/**
 * compiler/fs/files.ts on the real file system: every kind of failure becomes its code, with the path as
 * written, what it was for and where it was written; nothing throws.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Span } from '../../../compiler/diagnostics/span.js';
import { checkOutputFolder, FileError, FileFailure, fileSystemDiagnostic, makeFolder, orThrow, readBytes, readText, renameFile, tryReadBytes, writeFile, writeFileAtomic } from '../../../compiler/fs/files.js';
import { fsMessages } from '../../../compiler/fs/messages.js';
import { buildMessages } from '../../../compiler/driver/messages.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hvcc-fs-'));
  writeFileSync(join(dir, 'file'), 'text');
  mkdirSync(join(dir, 'folder'));
  symlinkSync(join(dir, 'loop'), join(dir, 'loop'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const span: Span = { file: '/x/system.dts', start: { line: 3, column: 12, offset: 40 }, end: { line: 3, column: 20, offset: 48 } };

describe('reading', () => {
  test('a file reads', () => {
    const r = readText(join(dir, 'file'));
    expect(r.ok && r.value).toBe('text');
    expect(tryReadBytes(join(dir, 'file'))).toBeInstanceOf(Uint8Array);
  });

  test('missing: HV0004, or the caller\'s code for it', () => {
    const r = readBytes(join(dir, 'nope'), { what: 'the guest image', written: 'nope', span });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostic.code).toBe(fsMessages.notFound.code);
    expect(r.diagnostic.message).toBe("cannot read the guest image 'nope': no such file");
    expect(r.diagnostic.span).toEqual(span);
    expect(r.diagnostic.notes).toEqual([`the path is ${join(dir, 'nope')}`]);
    expect(r.failure.missing).toBe(true);
    const own = readBytes(join(dir, 'nope'), { notFound: buildMessages.fileNotFound });
    expect(!own.ok && own.diagnostic.code).toBe('HV0001');
  });

  test('a missing folder on the way is named', () => {
    const r = readBytes(join(dir, 'a', 'b', 'c'));
    expect(!r.ok && r.diagnostic.message).toBe(`cannot read the file '${join(dir, 'a', 'b', 'c')}': no such file (the folder '${join(dir, 'a')}' does not exist)`);
  });

  test('a folder: HV0005 (EISDIR), not an exception', () => {
    const r = readBytes(join(dir, 'folder'), { what: 'the guest image', written: 'folder', span });
    expect(!r.ok && [r.diagnostic.code, r.diagnostic.message, r.failure.errno]).toEqual(['HV0005', "cannot read the guest image 'folder': it is a folder, not a file", 'EISDIR']);
    expect(!r.ok && r.failure.missing).toBe(false);
  });

  test('a named pipe or a device: HV0008 at once, not a read that waits or never ends', () => {
    // No writer ever opens the pipe: a read of it would wait for ever, as one of /dev/zero would never end.
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    const pipe = readBytes(join(dir, 'pipe'), { what: 'the guest image', written: 'pipe', span });
    expect(!pipe.ok && [pipe.diagnostic.code, pipe.diagnostic.message, pipe.failure.errno]).toEqual(['HV0008', "cannot read the guest image 'pipe': it is a named pipe, not a regular file", 'EFTYPE']);
    expect(!pipe.ok && pipe.diagnostic.help).toMatch(/regular file/);
    const zero = readBytes('/dev/zero');
    expect(!zero.ok && zero.diagnostic.message).toBe("cannot read the file '/dev/zero': it is a character device, not a regular file");
    // Allowed, a device reads (dtc's own input may be a pipe).
    const nul = tryReadBytes('/dev/null', { special: true });
    expect(nul instanceof Uint8Array && nul.length).toBe(0);
  });

  test('a file used as a folder: HV0006 naming the file (ENOTDIR)', () => {
    const r = readBytes(join(dir, 'file', 'inside'));
    expect(!r.ok && [r.diagnostic.code, r.failure.errno]).toEqual(['HV0006', 'ENOTDIR']);
    expect(!r.ok && r.diagnostic.message).toContain(`'${join(dir, 'file')}' is a file, not a folder`);
    // A search goes on past it, as past a missing file.
    expect(!r.ok && r.failure.missing).toBe(true);
  });

  test('a symbolic-link loop and a name too long: HV0008 in words', () => {
    const loop = readBytes(join(dir, 'loop'));
    expect(!loop.ok && [loop.diagnostic.code, loop.failure.errno]).toEqual(['HV0008', 'ELOOP']);
    expect(!loop.ok && loop.diagnostic.message).toContain('too many levels of symbolic links');
    const long = readBytes(join(dir, 'x'.repeat(300)));
    expect(!long.ok && [long.diagnostic.code, long.diagnostic.message.endsWith(': the name is too long')]).toEqual(['HV0008', true]);
  });

  test('strerror: the C library\'s words, for dtc\'s messages', () => {
    const f = tryReadBytes(join(dir, 'folder'));
    expect(f instanceof FileFailure && f.strerror).toBe('Is a directory');
  });
});

describe('writing', () => {
  test('writeFile creates the folders above the file', () => {
    const path = join(dir, 'out', 'deep', 'f.txt');
    expect(writeFile(path, 'x').ok).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('x');
  });

  test('over a folder: HV0005; under a file: HV0006', () => {
    const over = writeFile(join(dir, 'folder'), 'x');
    expect(!over.ok && over.diagnostic.code).toBe('HV0005');
    const under = writeFile(join(dir, 'file', 'f.txt'), 'x', { what: 'the guest tree' });
    expect(!under.ok && under.diagnostic.code).toBe('HV0006');
    expect(!under.ok && under.diagnostic.message).toContain(`'${join(dir, 'file')}' is a file, not a folder`);
  });

  const readOnly = '/sys/kernel/notes';
  (existsSync(readOnly) ? test : test.skip)('a file the system will not let anyone write: HV0007 (EACCES, even for root)', () => {
    const r = writeFile(readOnly, 'x', { what: 'the output' });
    expect(!r.ok && [r.diagnostic.code, r.diagnostic.message]).toEqual(['HV0007', `cannot write the output '${readOnly}': permission denied`]);
  });

  test('writeFileAtomic replaces the file whole and leaves no temporary behind', () => {
    const path = join(dir, 'atomic.txt');
    writeFileSync(path, 'old');
    expect(writeFileAtomic(path, 'new').ok).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('new');
    const failed = writeFileAtomic(join(dir, 'folder'), 'x');
    expect(!failed.ok && failed.diagnostic.code).toBe('HV0005');
    expect(existsSync(join(dir, '.folder.' + process.pid + '.tmp'))).toBe(false);
  });

  test('renameFile reports the destination', () => {
    writeFileSync(join(dir, 'moving'), 'm');
    const r = renameFile(join(dir, 'moving'), join(dir, 'file', 'x'));
    expect(!r.ok && r.diagnostic.code).toBe('HV0006');
  });

  test('makeFolder: an existing folder is fine, an existing file is HV0006 (EEXIST)', () => {
    expect(makeFolder(join(dir, 'folder')).ok).toBe(true);
    expect(makeFolder(join(dir, 'new', 'one')).ok).toBe(true);
    const r = makeFolder(join(dir, 'file'), { what: 'the output folder', written: 'file' });
    expect(!r.ok && [r.diagnostic.code, r.diagnostic.message]).toEqual(['HV0006', "cannot create the output folder 'file': it is a file, not a folder"]);
  });
});

describe('checkOutputFolder (creates nothing)', () => {
  test('a folder, or a path whose nearest existing folder is writable, is fine', () => {
    expect(checkOutputFolder(join(dir, 'folder'))).toBeUndefined();
    expect(checkOutputFolder(join(dir, 'not', 'yet'))).toBeUndefined();
    expect(existsSync(join(dir, 'not'))).toBe(false);
  });
  test('a file, or a file on the way: HV0006', () => {
    expect(checkOutputFolder(join(dir, 'file'))?.code).toBe('HV0006');
    expect(checkOutputFolder(join(dir, 'file', 'sub'))?.message).toContain(`'${join(dir, 'file')}' is a file, not a folder`);
  });
});

describe('exceptions', () => {
  test('orThrow throws a FileError carrying the diagnostic', () => {
    expect(() => orThrow(readBytes(join(dir, 'folder')))).toThrow(FileError);
  });
  test('fileSystemDiagnostic turns a raw exception into a coded diagnostic, path or not', () => {
    let raw: NodeJS.ErrnoException | undefined;
    try {
      readFileSync(join(dir, 'folder'));
    } catch (e) {
      raw = e as NodeJS.ErrnoException;
    }
    const d = fileSystemDiagnostic(raw!);
    expect([d.code, d.message]).toEqual(['HV0005', 'cannot read a file: it is a folder, not a file']);
    try {
      readFileSync(join(dir, 'nope'));
    } catch (e) {
      raw = e as NodeJS.ErrnoException;
    }
    expect(fileSystemDiagnostic(raw!).message).toBe(`cannot read the file '${join(dir, 'nope')}': no such file`);
  });
});
