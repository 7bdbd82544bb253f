// What every local server of headroom's (the proxy, the MCP server's HTTP transport) does alike before it
// serves: listen with errors that say what to do, read the Host a request was addressed to, check its key.

import { timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadroomError } from './errors.js';

/** True when `given` is the expected key (compared in constant time). */
export function keyMatches(expected: Buffer, given: string | string[] | undefined): boolean {
  if (typeof given !== 'string') return false;
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The host a `Host` header names, without its port: `[::1]:8787` → `::1`, `localhost:8787` → `localhost`. */
export function hostOf(header: string): string {
  const bracketed = /^\[([^\]]*)\]/.exec(header);
  if (bracketed) return bracketed[1] as string;
  return header.split(':')[0] as string;
}

/** Listen on `host`:`port`; a port in use or not allowed is one line saying what to do. */
export function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new HeadroomError(
            `port ${port} on ${host} is in use (pick another with --port, or --port 0 for a free one)`,
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(new HeadroomError(`not allowed to listen on ${host}:${port} (use a port above 1023)`));
      } else {
        reject(new HeadroomError(`cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}
