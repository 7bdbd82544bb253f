// `headroom proxy` as a real child process of the built CLI, on a free loopback port.

import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from './fake-upstream.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'run.js');

export interface ProxyProcess {
  child: ResultPromise;
  url: string;
  stderr: () => string;
}

export interface ProxyProcessOptions {
  /** Largest file the child may write, in bytes (`ulimit -f`): a write past it fails as on a full disk. */
  fileSizeLimit?: number;
  /**
   * Let file permissions bind the child even when the tests run as root: it runs without the capabilities
   * that let root read and write past them (`setpriv`, from util-linux).
   */
  boundByPermissions?: boolean;
}

const PERMISSION_OVERRIDES = '-dac_override,-dac_read_search';

/**
 * Spawn `headroom proxy --port 0 …args` with exactly `env`, and resolve with its URL once it prints the
 * listening line. The child is pushed onto `children` first, for the caller to kill.
 */
export async function spawnProxyProcess(
  args: string[],
  env: Record<string, string>,
  children: ResultPromise[],
  { fileSizeLimit, boundByPermissions = false }: ProxyProcessOptions = {},
): Promise<ProxyProcess> {
  let command = ['node', bin, 'proxy', '--port', '0', ...args];
  if (boundByPermissions && process.getuid?.() === 0) {
    command = ['setpriv', '--bounding-set', PERMISSION_OVERRIDES, ...command];
  }
  if (fileSizeLimit !== undefined) {
    // POSIX sh counts `ulimit -f` in blocks of 512 bytes.
    command = ['sh', '-c', `ulimit -f ${Math.ceil(fileSizeLimit / 512)} && exec "$0" "$@"`, ...command];
  }
  const [file, ...rest] = command;
  const child = execa(file!, rest, { env, reject: false, all: false });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /headroom proxy listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    // A child that exits, or never starts (a program not on PATH), ends the wait with what it said.
    void child.then((result) =>
      reject(new Error(`proxy exited with ${result.exitCode ?? result.signal}: ${stderr || result.message}`)),
    );
  });
  return { child, url, stderr: () => stderr };
}

export interface ProxyChildren {
  /** The fake model API the file's proxies forward to (there once the file's first test starts). */
  readonly upstream: FakeUpstream;
  /** Pass to `spawnProxyProcess`: each child is killed after its test. */
  children: ResultPromise[];
}

/** Register the hooks a file of proxy-process tests needs: one fake model API, children killed after each test. */
export function proxyChildrenPerFile(): ProxyChildren {
  const children: ResultPromise[] = [];
  let upstream: FakeUpstream | undefined;
  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });
  afterAll(() => upstream?.close());
  return {
    get upstream() {
      if (!upstream) throw new Error('the fake upstream starts with the first test');
      return upstream;
    },
    children,
  };
}
