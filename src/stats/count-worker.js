// The thread behind TokenCounter: receives batches of jobs (a request body to estimate, or texts to count)
// and answers with their token counts. It holds the tokenizer tables and a cache of long texts it counted,
// so the proxy's own thread never pays for them. Plain JavaScript: a worker thread loads it as it is.

import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { countTokens } from '../compress/tokens.js';

// Fields that never reach the model as text: routing and sampling settings, inline binary data.
const NON_TEXT_FIELDS = new Set([
  'model',
  'data',
  'type',
  'role',
  'media_type',
  'stream',
  'id',
  'tool_use_id',
]);

/**
 * The strings of `value` in document order. Walked with a stack of its own: a body nested deeper than the
 * thread's call stack is still counted.
 * @param {unknown} value
 * @param {string[]} out
 */
function collectText(value, out) {
  /** @type {unknown[]} */
  const stack = [value];
  while (stack.length) {
    const next = stack.pop();
    if (typeof next === 'string') {
      if (!next.startsWith('data:')) out.push(next);
    } else if (Array.isArray(next)) {
      for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]);
    } else if (typeof next === 'object' && next !== null) {
      const object = /** @type {Record<string, unknown>} */ (next);
      const keys = Object.keys(object).filter((key) => !NON_TEXT_FIELDS.has(key));
      for (let i = keys.length - 1; i >= 0; i--) stack.push(object[/** @type {string} */ (keys[i])]);
    }
  }
}

// Agents resend the whole history every turn: long texts seen before are counted once.
const CACHE_MIN_CHARS = 512;
const CACHE_MAX_ENTRIES = 20_000;
/** @type {Map<string, number>} */
const counted = new Map();

/**
 * @param {string} text
 * @param {string | undefined} model
 */
function countCached(text, model) {
  const key = `${model ?? ''}\0${createHash('sha1').update(text).digest('base64')}`;
  const hit = counted.get(key);
  if (hit !== undefined) {
    counted.delete(key);
    counted.set(key, hit);
    return hit;
  }
  const tokens = countTokens(text, model);
  counted.set(key, tokens);
  if (counted.size > CACHE_MAX_ENTRIES) counted.delete(/** @type {string} */ (counted.keys().next().value));
  return tokens;
}

/**
 * Tokens of texts: long ones one by one (cached), short ones together.
 * @param {readonly string[]} texts
 * @param {string | undefined} model
 */
function countTexts(texts, model) {
  let tokens = 0;
  /** @type {string[]} */
  const short = [];
  for (const text of texts) {
    if (text.length >= CACHE_MIN_CHARS) tokens += countCached(text, model);
    else short.push(text);
  }
  return tokens + countTokens(short.join('\n'), model);
}

/**
 * The input tokens of a request body from the text it carries (message contents, system prompt, tool
 * definitions); a body that is not a JSON object gets none.
 * @param {Uint8Array} bytes
 * @returns {{ model?: string, tokens?: number }}
 */
function estimateBody(bytes) {
  let payload;
  try {
    payload = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    return {};
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return {};
  const model = typeof payload.model === 'string' ? payload.model : undefined;
  /** @type {string[]} */
  const texts = [];
  collectText(payload, texts);
  return { model, tokens: countTexts(texts, model) };
}

/**
 * @typedef {{ id: number, body: Uint8Array } | { id: number, texts: string[], model?: string }} CountJob
 */

/**
 * @param {CountJob} job
 * @returns {{ model?: string, tokens?: number }}
 */
function estimate(job) {
  return 'body' in job
    ? estimateBody(job.body)
    : { model: job.model, tokens: countTexts(job.texts, job.model) };
}

// A job that throws is answered without an estimate (the proxy then estimates from size); the thread stays
// up for the jobs after it.
parentPort?.on('message', (/** @type {CountJob[]} */ jobs) => {
  const answers = jobs.map((job) => {
    try {
      return { id: job.id, estimate: estimate(job) };
    } catch {
      return { id: job.id, estimate: undefined };
    }
  });
  parentPort?.postMessage(answers);
});
