import { beforeAll, describe, expect, test } from '@jest/globals';
import { buildExampleGuests, hvcc, tempDir } from './harness.js';

beforeAll(() => buildExampleGuests());

describe('shared memory with doorbells', () => {
  test('the producer writes a ring and rings, the consumer prints what it read and rings back, and its write to its read-only window stops it', () => {
    const r = hvcc(['run', 'examples/shared-memory/system.dts', '-O', tempDir('shm'), '--timeout', '60']);
    // Powered off; the consumer's write to its read-only window was a fault (exit 5).
    expect(r.status).toBe(5);
    const lines = r.stdout.split('\n');
    expect(r.stdout).not.toContain('ERROR');
    expect(lines).toContain('[producer] producer: doorbell ID 0x0000000062647668, targets 1');
    const read = lines.filter((l) => l.startsWith('[consumer] consumer: read '));
    expect(read).toEqual([1, 2, 3, 4, 5].map((n) => `[consumer] consumer: read "message ${n} from the producer"`));
    expect(lines.some((l) => /^\[consumer\] consumer: 5 messages after [1-5] doorbell interrupt\(s\); ringing the producer back$/.test(l))).toBe(true);
    expect(lines).toContain('[producer] producer: the consumer rang back: it has them all');
    expect(lines).toContain("[hv] guest 'producer' powered off (PSCI SYSTEM_OFF from vCPU 0)");
    expect(lines.some((l) => l.startsWith("[hv] guest 'consumer' stopped: vCPU 0 wrote 4 bytes outside its memory at IPA 0x50000004") && l.includes('permission fault'))).toBe(true);
    expect(r.stdout).toContain('[hv] all guests have stopped, powering off');
  });
});
