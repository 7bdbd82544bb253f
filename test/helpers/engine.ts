// The engine as the tests drive it: one engine per test file (knowing every agent's editing and reading
// tools, as the product's own engines do), with message-level and body-level entry points by format name.

import { agentToolPolicy } from '../../src/agents/index.js';
import { sampleOf } from '../../src/compress/detect.js';
import { type CompressOptions, type CompressTextOptions, createEngine } from '../../src/compress/engine.js';
import { detectKind as kindOfSample } from '../../src/compress/transforms/index.js';
import { detectFormat, formatNamed } from '../../src/formats/index.js';
import { compressRequestBody as compressBody, compressMessages } from '../../src/formats/request.js';
import type { FormatName } from '../../src/formats/types.js';

export const engine = createEngine(agentToolPolicy());
// As the product's engines are: the code transform parses with grammars that load here.
await engine.init();

/** Compress a message list of the given (or detected) format with the file's engine. */
export function compress<M>(messages: readonly M[], options: CompressOptions & { format?: FormatName } = {}) {
  const { format, ...rest } = options;
  return compressMessages(engine, format ? formatNamed(format) : detectFormat(messages), messages, rest);
}

/** Compress a whole request body of the named format with the file's engine. */
export function compressRequestBody(format: FormatName, body: unknown, options: CompressOptions = {}) {
  return compressBody(engine, formatNamed(format), body, options);
}

/** Compress one text with the file's engine. */
export function compressText(text: string, options: CompressTextOptions = {}) {
  return engine.compressText(text, options);
}

/** The kind detection gives a text. */
export function detectKind(text: string) {
  return kindOfSample(sampleOf(text));
}
