// Directories that hold what users send their models: created 0700 whatever the umask, and tightened to 0700
// when they already exist open to others and hold only headroom's own files (a directory the user shares
// with other things is left as it is; its files are 0600 either way).

import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';

// What headroom keeps in its cache and config directories.
const OWN_ENTRY =
  /^((stats|originals|memory)\.db(\.corrupt-\d+)?(-wal|-shm)?|run|config\.json|copilot-auth\.json)$/;

/** True for a file or directory name headroom itself keeps in its cache or config directory. */
export function isOwnEntry(name: string): boolean {
  return OWN_ENTRY.test(name);
}

/** Make sure `dir` exists and is the owner's alone; returns whether it is. */
export function ensurePrivateDir(dir: string): boolean {
  if (mkdirSync(dir, { recursive: true, mode: 0o700 }) !== undefined) {
    chmodSync(dir, 0o700);
    return true;
  }
  const { mode, uid } = statSync(dir);
  if ((mode & 0o077) === 0) return true;
  const ownsIt = typeof process.getuid !== 'function' || uid === process.getuid();
  if (!ownsIt || !readdirSync(dir).every(isOwnEntry)) return false;
  chmodSync(dir, 0o700);
  return true;
}
