/**
 * The build cache stays within its limit: least recently used entries go first, entries in use (a hit
 * marks one) and everything outside the content-addressed folders stay, abandoned temporary files go.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cached, cacheLimitBytes, trimCache, trimCacheSometimes } from '../../../compiler/toolchain/cache.js';

const HOUR = 3600 * 1000;
const KIB = 1024;

function entry(dir: string, key: string, ext: string, size: number, ageMs: number, now: number): string {
  const shard = join(dir, key.slice(0, 2));
  mkdirSync(shard, { recursive: true });
  const path = join(shard, `${key}${ext}`);
  writeFileSync(path, Buffer.alloc(size));
  const t = new Date(now - ageMs);
  utimesSync(path, t, t);
  return path;
}

const key = (c: string) => c.repeat(64);

describe('trimCache', () => {
  test('removes the least recently used entries beyond the limit, keeps the rest and other folders', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-cache-trim-'));
    try {
      const now = Date.now();
      const oldest = entry(dir, key('a'), '.bc', 40 * KIB, 50 * HOUR, now);
      const older = entry(dir, key('b'), '.elf', 40 * KIB, 20 * HOUR, now);
      const newer = entry(dir, key('c'), '.bc', 40 * KIB, 2 * HOUR, now);
      const inUse = entry(dir, key('d'), '.o', 40 * KIB, 60 * 1000, now);
      mkdirSync(join(dir, 'linux-guest'), { recursive: true });
      const download = join(dir, 'linux-guest', 'kernel.deb');
      writeFileSync(download, Buffer.alloc(400 * KIB));
      const stranger = join(dir, 'aa', 'notes.txt');
      writeFileSync(stranger, 'not an entry');

      const r = trimCache(dir, 100 * KIB, now);
      expect(existsSync(inUse)).toBe(true);
      expect(existsSync(newer)).toBe(true);
      expect(existsSync(older)).toBe(false);
      expect(existsSync(oldest)).toBe(false);
      expect(existsSync(download)).toBe(true);
      expect(existsSync(stranger)).toBe(true);
      expect(r).toEqual({ removed: 2, freedBytes: 80 * KIB, keptBytes: 80 * KIB });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('never removes an entry used in the last minutes, even over the limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-cache-trim-'));
    try {
      const now = Date.now();
      const a = entry(dir, key('1'), '.bc', 64 * KIB, 5 * 60 * 1000, now);
      const b = entry(dir, key('2'), '.bc', 64 * KIB, 1000, now);
      expect(trimCache(dir, 0, now).removed).toBe(0);
      expect(existsSync(a) && existsSync(b)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('temporary files left by an interrupted build go after an hour, not before', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-cache-trim-'));
    try {
      const now = Date.now();
      const abandoned = entry(dir, key('e'), '.bc.1234.tmp', 10, 2 * HOUR, now);
      const writing = entry(dir, key('f'), '.bc.5678.tmp', 10, 10 * 1000, now);
      trimCache(dir, 1024 * KIB, now);
      expect(existsSync(abandoned)).toBe(false);
      expect(existsSync(writing)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a cache hit marks the entry used, so it outlives entries written after it but not used since', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-cache-trim-'));
    try {
      const now = Date.now();
      const hit = entry(dir, key('7'), '.bc', 64 * KIB, 30 * HOUR, now);
      const unused = entry(dir, key('8'), '.bc', 64 * KIB, 20 * HOUR, now);
      const r = cached(dir, key('7'), '.bc', () => {
        throw new Error('a hit must not produce');
      });
      expect(r).toEqual({ path: hit, hit: true });
      expect(statSync(hit).mtimeMs).toBeGreaterThan(now - 60 * 1000);
      // An hour on, past the in-use window: the limit holds one entry, the one used last.
      trimCache(dir, 64 * KIB, now + HOUR);
      expect(existsSync(hit)).toBe(true);
      expect(existsSync(unused)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a build trims at most every ten minutes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-cache-trim-'));
    try {
      const now = Date.now();
      entry(dir, key('9'), '.bc', 64 * KIB, 20 * HOUR, now);
      expect(trimCacheSometimes(dir, 0, now)?.removed).toBe(1);
      const again = entry(dir, key('8'), '.bc', 64 * KIB, 20 * HOUR, now);
      expect(trimCacheSometimes(dir, 0, now + 5 * 60 * 1000)).toBeUndefined();
      expect(existsSync(again)).toBe(true);
      expect(trimCacheSometimes(dir, 0, now + 11 * 60 * 1000)?.removed).toBe(1);
      expect(existsSync(again)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the limit comes from HVCC_CACHE_MAX_MB, else 1 GiB', () => {
    expect(cacheLimitBytes({})).toBe(1024 * 1024 * 1024);
    expect(cacheLimitBytes({ HVCC_CACHE_MAX_MB: '64' })).toBe(64 * 1024 * 1024);
    expect(cacheLimitBytes({ HVCC_CACHE_MAX_MB: '0' })).toBe(0);
    expect(cacheLimitBytes({ HVCC_CACHE_MAX_MB: 'lots' })).toBe(1024 * 1024 * 1024);
    expect(cacheLimitBytes({ HVCC_CACHE_MAX_MB: '' })).toBe(1024 * 1024 * 1024);
  });
});
