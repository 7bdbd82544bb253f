// A Kompress model on disk made usable by a synchronous engine: the tokenizer (a standard tokenizer.json,
// read by @huggingface/tokenizers) runs here, the onnxruntime session on a thread of its own whose answers
// this thread waits for. Loaded once per model path and process; disk is read in `loadModel` only.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Tokenizer } from '@huggingface/tokenizers';
import { oneLine } from '../lines.js';

/** A loaded model: how it splits words into token ids, how long a sequence may be, and the scorer. */
export interface KompressModel {
  /** Token ids of one word as the model sees it inside a text (no special tokens). */
  wordIds(word: string): readonly number[];
  /** Tokens a sequence may hold besides the special tokens the model frames it with. */
  maxLength: number;
  /** Keep-probability of every token of every sequence (given without special tokens), in order. */
  score(sequences: readonly (readonly number[])[]): Float32Array[];
  /** The output the model gives: LLMLingua-2's `logits` or Kompress's `final_scores`. */
  shape: 'logits' | 'final_scores';
}

/** Why a model could not be used; the transform says it once and the text rules run. */
export class KompressModelError extends Error {
  override name = 'KompressModelError';
}

// Read with the first model: a process (or compression thread) that runs no model never holds the library.
const require = createRequire(import.meta.url);
let tokenizers: typeof import('@huggingface/tokenizers') | undefined;
const tokenizerClass = () => {
  tokenizers ??= require('@huggingface/tokenizers') as typeof import('@huggingface/tokenizers');
  return tokenizers.Tokenizer;
};

/** Longest a run may take before the scorer is given up: a fail-safe against a hung session, like budgetMs. */
const RUN_TIMEOUT_MS = 20_000;
/** What sequences may hold when neither tokenizer file says (the BERT/XLM-R family's 512). */
const DEFAULT_MAX_LENGTH = 512;

export interface ModelFiles {
  model: string;
  tokenizer: string;
  tokenizerConfig: string | undefined;
}

/** Where the two files are: a directory holding both, a `.onnx` with its tokenizer beside it, or `a,b`. */
export function modelFiles(setting: string): ModelFiles {
  const [first, second] = setting.split(',').map((part) => part.trim());
  if (!first) throw new KompressModelError('no model path given');
  let model: string;
  let tokenizer: string;
  if (second) {
    model = first;
    tokenizer = second;
  } else if (existsSync(first) && statSync(first).isDirectory()) {
    model = join(first, 'model.onnx');
    tokenizer = join(first, 'tokenizer.json');
  } else {
    model = first;
    tokenizer = join(dirname(first), 'tokenizer.json');
  }
  for (const file of [model, tokenizer]) {
    if (!existsSync(file)) throw new KompressModelError(`${file} does not exist`);
  }
  const config = join(dirname(tokenizer), 'tokenizer_config.json');
  return { model, tokenizer, tokenizerConfig: existsSync(config) ? config : undefined };
}

function readJson(file: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new KompressModelError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** The sequence length the tokenizer files declare: tokenizer_config's model_max_length, then truncation. */
function maxLengthOf(tokenizer: Record<string, unknown>, config: Record<string, unknown>): number {
  const declared = [
    config.model_max_length,
    (tokenizer.truncation as { max_length?: unknown } | null | undefined)?.max_length,
  ];
  // Tokenizers without a limit write a huge sentinel (1e30) as model_max_length.
  const found = declared.find((n): n is number => typeof n === 'number' && n >= 8 && n <= 65_536);
  return found ?? DEFAULT_MAX_LENGTH;
}

/** The ids the tokenizer puts around one sequence ([CLS] … [SEP], <s> … </s>). */
function specialIds(tokenizer: Tokenizer): { before: number[]; after: number[] } {
  const plain: number[] = tokenizer.encode('a', { add_special_tokens: false }).ids;
  const framed: number[] = tokenizer.encode('a', { add_special_tokens: true }).ids;
  for (let at = 0; at + plain.length <= framed.length; at++) {
    if (plain.every((id, k) => framed[at + k] === id)) {
      return { before: framed.slice(0, at), after: framed.slice(at + plain.length) };
    }
  }
  return { before: [], after: [] };
}

/** The padding id: the tokenizer's own padding setting, else its pad token, else 0 (masked out anyway). */
function padIdOf(json: Record<string, unknown>, tokenizer: Tokenizer): number {
  const padding = json.padding as { pad_id?: unknown } | null | undefined;
  if (typeof padding?.pad_id === 'number') return padding.pad_id;
  for (const token of ['<pad>', '[PAD]']) {
    const id = tokenizer.token_to_id(token);
    if (id !== undefined) return id;
  }
  return 0;
}

interface Ready {
  ready: boolean;
  shape?: 'logits' | 'final_scores';
  error?: string;
}

interface Answer {
  id: number;
  keep?: Float32Array;
  error?: string;
}

/** A model's tokenizer with what framing, padding and truncating sequences for it takes. */
export interface ModelTokenizer {
  tokenizer: Tokenizer;
  /** The special ids around one sequence. */
  before: number[];
  after: number[];
  padId: number;
  /** Longest sequence, special tokens included. */
  maxLength: number;
}

/** Sequences as one padded batch: ids (`padId` past each end), the mask of real tokens, the row length. */
export function paddedBatch(
  framed: readonly (readonly number[])[],
  padId: number,
): { ids: BigInt64Array<ArrayBuffer>; mask: BigInt64Array<ArrayBuffer>; length: number } {
  const length = Math.max(...framed.map((ids) => ids.length));
  const ids = new BigInt64Array(framed.length * length).fill(BigInt(padId));
  const mask = new BigInt64Array(framed.length * length);
  framed.forEach((sequence, row) => {
    sequence.forEach((id, k) => {
      ids[row * length + k] = BigInt(id);
      mask[row * length + k] = 1n;
    });
  });
  return { ids, mask, length };
}

/** Read the tokenizer files of `files`; a KompressModelError saying why not. */
export function readTokenizer(files: ModelFiles): ModelTokenizer {
  const json = readJson(files.tokenizer);
  const config = files.tokenizerConfig ? readJson(files.tokenizerConfig) : {};
  let tokenizer: Tokenizer;
  try {
    tokenizer = new (tokenizerClass())(json, config);
  } catch (error) {
    throw new KompressModelError(`cannot read ${files.tokenizer}: ${(error as Error).message}`);
  }
  return {
    tokenizer,
    ...specialIds(tokenizer),
    padId: padIdOf(json, tokenizer),
    maxLength: maxLengthOf(json, config),
  };
}

/** Load the model and tokenizer `setting` names; rejects with a KompressModelError saying why not. */
export async function loadModel(setting: string): Promise<KompressModel> {
  const files = modelFiles(setting);
  const { tokenizer, before, after, padId, maxLength } = readTokenizer(files);

  const { port1: here, port2: there } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL('./kompress-worker.js', import.meta.url), {
    workerData: { model: files.model, port: there, signal },
    transferList: [there],
  });
  // Neither keeps a finished process alive.
  worker.unref();
  here.unref();
  const ready = await new Promise<Ready>((resolve) => {
    worker.once('message', resolve);
    worker.once('error', (error) => resolve({ ready: false, error: error.message }));
    worker.once('exit', (code) => resolve({ ready: false, error: `the model's thread stopped (${code})` }));
  });
  if (!ready.ready || !ready.shape) {
    void worker.terminate();
    const reason = oneLine(ready.error ?? 'unknown error');
    throw new KompressModelError(`cannot load ${files.model}: ${reason}`);
  }
  let nextId = 0;

  const score = (sequences: readonly (readonly number[])[]): Float32Array[] => {
    const framed = sequences.map((ids) => [...before, ...ids, ...after]);
    const { ids, mask, length } = paddedBatch(framed, padId);
    const id = nextId++;
    Atomics.store(signal, 0, 0);
    here.postMessage({ id, ids, mask, batch: framed.length, length });
    if (Atomics.wait(signal, 0, 0, RUN_TIMEOUT_MS) === 'timed-out') {
      throw new KompressModelError(`a run took over ${RUN_TIMEOUT_MS} ms`);
    }
    let answer: Answer | undefined;
    // Skip answers to runs given up earlier; the one asked for is in the port once the flag is up.
    do answer = receiveMessageOnPort(here)?.message as Answer | undefined;
    while (answer && answer.id !== id);
    if (!answer) throw new KompressModelError("the model's thread gave no answer");
    if (answer.error !== undefined || !answer.keep) {
      // onnxruntime's messages run over several lines; a notice is one.
      throw new KompressModelError(`a run failed: ${oneLine(answer.error ?? 'no scores')}`);
    }
    const keep = answer.keep;
    // Scores of the words' tokens only, without the special tokens around them.
    return sequences.map((sequence, row) =>
      keep.slice(row * length + before.length, row * length + before.length + sequence.length),
    );
  };

  return {
    wordIds: (word) => tokenizer.encode(word, { add_special_tokens: false }).ids,
    maxLength: Math.max(1, maxLength - before.length - after.length),
    score,
    shape: ready.shape,
  };
}
