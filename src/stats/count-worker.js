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
 * @param {unknown} value
 * @param {string[]} out
 */
function collectText(value, out) {
  if (typeof value === 'string') {
    if (!value.startsWith('data:')) out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectText(item, out);
  } else if (typeof value === 'object' && value !== null) {
    const object = /** @type {Record<string, unknown>} */ (value);
    for (const key in object) if (!NON_TEXT_FIELDS.has(key)) collectText(object[key], out);
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

parentPort?.on('message', (/** @type {CountJob[]} */ jobs) => {
  const answers = jobs.map((job) =>
    'body' in job
      ? { id: job.id, estimate: estimateBody(job.body) }
      : { id: job.id, estimate: { model: job.model, tokens: countTexts(job.texts, job.model) } },
  );
  parentPort?.postMessage(answers);
});
