import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensurePrivateDir } from './private-dir.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('private directories', () => {
  it('creates a directory 0700 whatever the umask', () => {
    const previous = process.umask(0o022);
    try {
      const dir = join(mkdtempSync(join(tmpdir(), 'headroom-private-')), 'a', 'cache');
      expect(ensurePrivateDir(dir)).toBe(true);
      expect(mode(dir)).toBe(0o700);
    } finally {
      process.umask(previous);
    }
  });

  it("tightens an existing 0755 directory that holds only headroom's files", () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-private-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'stats.db'), '');
    writeFileSync(join(dir, 'originals.db-wal'), '');
    mkdirSync(join(dir, 'run'));
    expect(ensurePrivateDir(dir)).toBe(true);
    expect(mode(dir)).toBe(0o700);
  });

  it('leaves a directory the user shares with other things as it is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-private-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    expect(ensurePrivateDir(dir)).toBe(false);
    expect(mode(dir)).toBe(0o755);
  });
});
