// Checks made before an agent starts, while headroom may still talk to the terminal: is the binary there,
// and can the model API the agent will use be reached at all.

import { accessSync, constants, statSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, isAbsolute, join } from 'node:path';

/** Full path of `binary` on the PATH in `env` (or the path itself when one is given), or undefined. */
export function findExecutable(
  binary: string,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const candidates = binary.includes('/')
    ? [isAbsolute(binary) ? binary : join(process.cwd(), binary)]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, binary));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * Whether a TCP connection to the host of `baseUrl` opens within `timeoutMs`. It says nothing about
 * credentials; it catches a wrong host, no network, or a gateway that is down.
 */
export function canConnect(baseUrl: string, timeoutMs = 1500): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return Promise.resolve(false);
  }
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
