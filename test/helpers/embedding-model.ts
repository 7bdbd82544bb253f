// A tiny real sentence-embedding model for the memory search specs: an ONNX graph that looks each token up
// in a table and masks the padding, giving `last_hidden_state` as sentence-transformers exports do, and a
// WordPiece tokenizer.json to match. Words of one meaning share a direction, so a query finds a memory it
// has no word in common with; words outside the table are zero vectors and pull nothing.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ATTRIBUTE_INT,
  FLOAT,
  INT64,
  node,
  ONNX,
  SPECIALS,
  tensor,
  valueInfo,
  wordPieceTokenizer,
} from './kompress-model.js';

const WIDTH = 4;

/** The specs' words and the direction each carries: shipping words one way, formatting another. */
export const MEANINGS: Record<string, number[]> = {
  ship: [1, 0, 0, 0],
  release: [1, 0, 0, 0],
  deploy: [1, 0, 0, 0],
  canary: [0, 0.5, 0, 0],
  tabs: [0, 0, 1, 0],
  spaces: [0, 0, 1, 0],
  indent: [0, 0, 1, 0],
  database: [0, 0, 0, 1],
};

/** Plain words the tokenizer knows that carry no meaning here. */
const PLAIN = ['how', 'do', 'we', 'the', 'through', 'not', 'in', 'pool', 'use', 'makefiles', 'a', 'to'];

/** Writes model.onnx and tokenizer.json into `dir`; returns `dir`. */
export function writeEmbeddingModel(dir: string, meanings: Record<string, number[]> = MEANINGS): string {
  mkdirSync(dir, { recursive: true });
  const vocab = [...SPECIALS, ...Object.keys(meanings), ...PLAIN, '.', ','];
  const table = vocab.flatMap((token) => meanings[token] ?? new Array(WIDTH).fill(0));
  const model = {
    ir_version: 8,
    producer_name: 'headroom-specs',
    opset_import: [{ domain: '', version: 17 }],
    graph: {
      name: 'tiny-sentence-embedder',
      node: [
        node('Gather', ['table', 'input_ids'], ['looked_up']),
        node('Cast', ['attention_mask'], ['mask'], [{ name: 'to', i: FLOAT, type: ATTRIBUTE_INT }]),
        node('Unsqueeze', ['mask', 'two'], ['mask3']),
        node('Mul', ['looked_up', 'mask3'], ['last_hidden_state']),
      ],
      initializer: [tensor('table', [vocab.length, WIDTH], table), tensor('two', [1], [2], INT64)],
      input: [
        valueInfo('input_ids', INT64, ['batch', 'tokens']),
        valueInfo('attention_mask', INT64, ['batch', 'tokens']),
      ],
      output: [valueInfo('last_hidden_state', FLOAT, ['batch', 'tokens', WIDTH])],
    },
  };
  const ModelProto = ONNX.lookupType('onnx.ModelProto');
  writeFileSync(join(dir, 'model.onnx'), ModelProto.encode(ModelProto.fromObject(model)).finish());
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(wordPieceTokenizer(vocab)));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 64 }));
  return dir;
}
