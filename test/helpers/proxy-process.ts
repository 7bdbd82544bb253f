// `headroom proxy` as a real child process of the built CLI, on a free loopback port.

import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'run.js');

export interface ProxyProcess {
  child: ResultPromise;
  url: string;
  stderr: () => string;
}

/**
 * Spawn `headroom proxy --port 0 …args` with exactly `env`, and resolve with its URL once it prints the
 * listening line. The child is pushed onto `children` first, for the caller to kill.
 */
export async function spawnProxyProcess(
  args: string[],
  env: Record<string, string>,
  children: ResultPromise[],
): Promise<ProxyProcess> {
  const child = execa('node', [bin, 'proxy', '--port', '0', ...args], { env, reject: false, all: false });
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
    child.once('exit', (code) => reject(new Error(`proxy exited with ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}
