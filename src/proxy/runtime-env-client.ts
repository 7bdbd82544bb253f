// The client side of `/admin/runtime-env`: pushes live settings to a running proxy, for `headroom config set
// --live` (every proxy the runtime files name) and `headroom wrap --proxy-url` (the settings of its shell).

import { LIVE_SETTINGS, type ResolvedConfig, SETTINGS } from '../config.js';
import { HeadroomError } from '../errors.js';

const PUSH_TIMEOUT_MS = 5000;

/** The live settings `resolved` took from the environment or a flag, by environment variable. */
export function liveEnvOf(resolved: ResolvedConfig): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const name of LIVE_SETTINGS) {
    const source = resolved.sources[name];
    if (source === 'env' || source === 'flag') values[SETTINGS[name].env] = resolved.config[name];
  }
  return values;
}

/** POST `values` to the proxy at `base`; throws a HeadroomError with the proxy's reason when it refuses. */
export async function pushRuntimeEnv(
  base: string,
  values: Readonly<Record<string, unknown>>,
  apiKey: string | undefined,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${base.replace(/\/+$/, '')}/admin/runtime-env`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-headroom-key': apiKey } : {}) },
      body: JSON.stringify(values),
      signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
    });
  } catch (error) {
    throw new HeadroomError(`cannot reach the proxy at ${base}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  const text = await response.text();
  let reason = text;
  try {
    reason = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
  } catch {}
  throw new HeadroomError(
    `the proxy at ${base} refused the settings (HTTP ${response.status}: ${reason.replace(/^headroom: /, '')})`,
  );
}
