// JSON over HTTPS to GitHub, with an explicit timeout and one-line errors naming the host that failed; what
// was sent (tokens, device codes) never appears in them.

import { CopilotAuthError } from './errors.js';

const TIMEOUT_MS = 30_000;

export interface JsonAnswer {
  status: number;
  /** The parsed body; undefined when it was not JSON. */
  body: unknown;
}

/** A JSON object's field as a string, or undefined. */
export function stringField(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** A JSON object's field as a finite number, or undefined. */
export function numberField(body: unknown, name: string): number | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** GET `url`, or POST `form` to it as JSON, and read the JSON answer. */
export async function githubJson(
  url: string,
  options: { headers?: Record<string, string>; form?: Record<string, string> } = {},
): Promise<JsonAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.form ? 'POST' : 'GET',
      headers: {
        accept: 'application/json',
        ...(options.form ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      body: options.form ? JSON.stringify(options.form) : undefined,
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new CopilotAuthError(`cannot reach ${new URL(url).origin} (${cause})`, { cause: error });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}
