// Polls a condition in tests that watch something happen elsewhere (a terminal, a stream, a database).

/**
 * Resolve with the first truthy value `get` returns (or resolves with), checking every 20 ms; fail after `timeoutMs` with
 * `what` (a string, or a function for details known only at failure time, e.g. the screen's content).
 */
export async function until<T>(
  get: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string | (() => string),
  timeoutMs = 5000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await get();
    if (value) return value;
    if (Date.now() - started > timeoutMs) {
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
