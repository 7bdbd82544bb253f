// A tiny real token classifier for the Kompress specs: an ONNX graph (embedding + position table + linear
// head, a few KB) written with protobufjs from the field numbers onnx.proto publishes, and a WordPiece
// tokenizer.json to match. Each vocabulary word carries the keep score the spec gives it.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';

// The parts of onnx.proto a graph of plain operators needs (field numbers as published).
export const ONNX = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            ir_version: { id: 1, type: 'int64' },
            producer_name: { id: 2, type: 'string' },
            graph: { id: 7, type: 'GraphProto' },
            opset_import: { id: 8, type: 'OperatorSetIdProto', rule: 'repeated' },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { id: 1, type: 'string' }, version: { id: 2, type: 'int64' } },
        },
        GraphProto: {
          fields: {
            node: { id: 1, type: 'NodeProto', rule: 'repeated' },
            name: { id: 2, type: 'string' },
            initializer: { id: 5, type: 'TensorProto', rule: 'repeated' },
            input: { id: 11, type: 'ValueInfoProto', rule: 'repeated' },
            output: { id: 12, type: 'ValueInfoProto', rule: 'repeated' },
          },
        },
        NodeProto: {
          fields: {
            input: { id: 1, type: 'string', rule: 'repeated' },
            output: { id: 2, type: 'string', rule: 'repeated' },
            name: { id: 3, type: 'string' },
            op_type: { id: 4, type: 'string' },
            attribute: { id: 5, type: 'AttributeProto', rule: 'repeated' },
          },
        },
        AttributeProto: {
          fields: {
            name: { id: 1, type: 'string' },
            i: { id: 3, type: 'int64' },
            type: { id: 20, type: 'int32' },
          },
        },
        TensorProto: {
          fields: {
            dims: { id: 1, type: 'int64', rule: 'repeated' },
            data_type: { id: 2, type: 'int32' },
            float_data: { id: 4, type: 'float', rule: 'repeated' },
            int64_data: { id: 7, type: 'int64', rule: 'repeated' },
            name: { id: 8, type: 'string' },
          },
        },
        ValueInfoProto: { fields: { name: { id: 1, type: 'string' }, type: { id: 2, type: 'TypeProto' } } },
        TypeProto: {
          fields: { tensor_type: { id: 1, type: 'TensorTypeProto' } },
        },
        TensorTypeProto: {
          fields: { elem_type: { id: 1, type: 'int32' }, shape: { id: 2, type: 'TensorShapeProto' } },
        },
        TensorShapeProto: { fields: { dim: { id: 1, type: 'Dimension', rule: 'repeated' } } },
        Dimension: { fields: { dim_value: { id: 1, type: 'int64' }, dim_param: { id: 2, type: 'string' } } },
      },
    },
  },
});

export const FLOAT = 1;
export const INT64 = 7;
export const ATTRIBUTE_INT = 2;
const WIDTH = 4;

export const tensor = (name: string, dims: number[], values: number[], type = FLOAT) =>
  type === FLOAT
    ? { name, dims, data_type: FLOAT, float_data: values }
    : { name, dims, data_type: INT64, int64_data: values };
export const node = (op_type: string, input: string[], output: string[], attribute: object[] = []) => ({
  op_type,
  input,
  output,
  name: output[0],
  attribute,
});
export const valueInfo = (name: string, elem_type: number, dims: (number | string)[]) => ({
  name,
  type: {
    tensor_type: {
      elem_type,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
    },
  },
});

export interface TinyModelOptions {
  /** Each word of the vocabulary and its keep logit (positive: kept; negative: dropped). */
  words: Record<string, number>;
  /** Which output the model gives. */
  shape: 'logits' | 'final_scores';
  /** Positions the model has (special tokens included): a longer sequence fails to run, as a real one does. */
  positions: number;
  /** What tokenizer_config.json declares as model_max_length (default: `positions`). */
  declaredMaxLength?: number;
}

/**
 * Words the specs' model keeps (positive logit) and drops (negative). The pieces make "keeping" two tokens
 * the model keeps and "keepfulness" one it keeps and two it drops.
 */
export const SPEC_WORDS: Record<string, number> = {
  deploy: 6,
  server: 6,
  database: 6,
  keep: 6,
  '##ing': 6,
  '##ful': -6,
  '##ness': -6,
  the: -6,
  really: -6,
  basically: -6,
  just: -6,
  very: -6,
  quite: -6,
  of: -6,
  is: -6,
  it: -6,
};

/**
 * Prose of the kept and dropped words: five sentences a line, in paragraphs of eight lines, as a chat log
 * or a web page's text comes. Two paragraphs or fewer leave the extractive text rules nothing to choose
 * from, so the model decides.
 */
export function specProse(sentences: number): string {
  const lines: string[] = [];
  for (let i = 0; i < sentences; i += 5) {
    const count = Math.min(5, sentences - i);
    lines.push(
      Array.from(
        { length: count },
        () => 'the server is really just the database, basically very quite keeping the deploy of it.',
      ).join(' '),
    );
    if (lines.length % 9 === 8) lines.push('');
  }
  return lines.join('\n');
}

export const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'];
/** Keep logit of tokens outside the spec's words: unknown words and punctuation lean to being dropped. */
const UNKNOWN_LOGIT = -1;

/** Writes model.onnx, tokenizer.json and tokenizer_config.json into `dir`; returns `dir`. */
export function writeTinyModel(dir: string, options: TinyModelOptions): string {
  mkdirSync(dir, { recursive: true });
  const vocab = [...SPECIALS, ...Object.keys(options.words), '.', ','];
  const logitOf = (token: string) => options.words[token] ?? (SPECIALS.includes(token) ? 0 : UNKNOWN_LOGIT);
  // The embedding puts a token's keep logit in its second column; the head reads it out.
  const embedding = vocab.flatMap((token) => [0, logitOf(token), 0, 0]);
  const nodes = [
    node('Gather', ['embedding', 'input_ids'], ['embedded']),
    node('Shape', ['input_ids'], ['shape']),
    node('Gather', ['shape', 'one'], ['length']),
    node('Slice', ['positions', 'zero', 'length', 'zero'], ['position']),
    node('Add', ['embedded', 'position'], ['hidden']),
    node('Cast', ['attention_mask'], ['mask'], [{ name: 'to', i: FLOAT, type: ATTRIBUTE_INT }]),
  ];
  const initializer = [
    tensor('embedding', [vocab.length, WIDTH], embedding),
    tensor('positions', [options.positions, WIDTH], new Array(options.positions * WIDTH).fill(0)),
    tensor('zero', [1], [0], INT64),
    tensor('one', [1], [1], INT64),
  ];
  if (options.shape === 'logits') {
    nodes.push(
      node('MatMul', ['hidden', 'head'], ['projected']),
      node('Add', ['projected', 'bias'], ['scored']),
      node('Unsqueeze', ['mask', 'two'], ['mask3']),
      node('Mul', ['scored', 'mask3'], ['logits']),
    );
    initializer.push(
      tensor('head', [WIDTH, 2], [1, 0, 0, 1, 0, 0, 0, 0]),
      tensor('bias', [2], [0, 0]),
      tensor('two', [1], [2], INT64),
    );
  } else {
    nodes.push(
      node('MatMul', ['hidden', 'head'], ['projected']),
      node('Sigmoid', ['projected'], ['probability']),
      node('Mul', ['probability', 'mask'], ['final_scores']),
    );
    initializer.push(tensor('head', [WIDTH], [0, 1, 0, 0]));
  }
  const model = {
    ir_version: 8,
    producer_name: 'headroom-specs',
    opset_import: [{ domain: '', version: 17 }],
    graph: {
      name: 'tiny-token-classifier',
      node: nodes,
      initializer,
      input: [
        valueInfo('input_ids', INT64, ['batch', 'tokens']),
        valueInfo('attention_mask', INT64, ['batch', 'tokens']),
      ],
      output: [
        options.shape === 'logits'
          ? valueInfo('logits', FLOAT, ['batch', 'tokens', 2])
          : valueInfo('final_scores', FLOAT, ['batch', 'tokens']),
      ],
    },
  };
  const ModelProto = ONNX.lookupType('onnx.ModelProto');
  writeFileSync(join(dir, 'model.onnx'), ModelProto.encode(ModelProto.fromObject(model)).finish());
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(wordPieceTokenizer(vocab)));
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({ model_max_length: options.declaredMaxLength ?? options.positions }),
  );
  return dir;
}

export function wordPieceTokenizer(vocab: readonly string[]): object {
  const special = (content: string) => ({
    id: vocab.indexOf(content),
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const token = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [token('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, token('[SEP]')],
      pair: [
        token('[CLS]'),
        { Sequence: { id: 'A', type_id: 0 } },
        token('[SEP]'),
        { Sequence: { id: 'B', type_id: 1 } },
        token('[SEP]'),
      ],
      special_tokens: Object.fromEntries(
        ['[CLS]', '[SEP]'].map((id) => [id, { id, ids: [vocab.indexOf(id)], tokens: [id] }]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((token, id) => [token, id])),
    },
  };
}
