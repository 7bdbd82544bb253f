// The inputs a token model's onnxruntime session is run with, shared by the threads that hold one (the
// Kompress scorer, the memory's embedding model). Plain JavaScript, so it runs from the sources and the build.

/**
 * `input_ids` and `attention_mask` of a padded batch, and the all-zero `token_type_ids` BERT-style exports
 * also take (one segment).
 * @param {typeof import('onnxruntime-node')} ort
 * @param {import('onnxruntime-node').InferenceSession} session
 * @param {{ ids: BigInt64Array, mask: BigInt64Array, batch: number, length: number }} job
 * @returns {Record<string, import('onnxruntime-node').Tensor>}
 */
export function feedsFor(ort, session, job) {
  const dims = [job.batch, job.length];
  /** @type {Record<string, import('onnxruntime-node').Tensor>} */
  const feeds = {
    input_ids: new ort.Tensor('int64', job.ids, dims),
    attention_mask: new ort.Tensor('int64', job.mask, dims),
  };
  if (session.inputNames.includes('token_type_ids')) {
    feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(job.ids.length), dims);
  }
  return feeds;
}
