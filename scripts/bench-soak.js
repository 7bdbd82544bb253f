// Soak: `headroom proxy` (the built CLI, a child process) in front of a model API on loopback that faults on
// a seeded share of requests (5xx, 429 with retry-after, a reset before or during the answer, a stall the
// proxy must time out, a malformed body), under 64 concurrent clients for a bounded time: Anthropic
// Messages, OpenAI Chat Completions and Responses, streamed and not, some with tool outputs large enough to
// be compressed, a third of whose answers call headroom_retrieve first (the fault then strikes the turn's
// continuation). Every response is checked against the bytes the model API wrote for it; the proxy's memory
// and open handles are sampled from /proc all along; its stats rows are read back at the end. Run with
// `npm run bench:soak` (builds first); `--seconds N` (default 60), `--clients N` (64), `--seed S`.
//
// Exits 1 when a response is lost or corrupted, a request reached the model API changed or twice, the stats
// rows do not say what happened (one per request, its failure, whether it retrieved), or the proxy's memory
// or open handles grew past the bounds below.

import { createHash } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { totals } from '../dist/stats/report.js';
import { openStatsStore } from '../dist/store/index.js';
import {
  cpuMs,
  memoryMb,
  openHandles,
  removeProxyDirs,
  startProxyChild,
  stopProxyChild,
} from './proxy-child.js';
import { expectedReason, judge } from './soak/check.js';
import { FAULT_KINDS, generator, hashOf, pick } from './soak/faults.js';
import { toolOutputs } from './soak/tool-outputs.js';
import { startFaultyUpstream } from './soak/upstream.js';
import { FORMATS } from './soak/wire.js';

const option = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const SECONDS = Number(option('seconds', 60));
const CLIENTS = Number(option('clients', 64));
const SEED = option('seed', 'headroom-soak');
// The proxy's upstream idle timeout for the run: a stalled answer fails after this much silence.
const IDLE_MS = 1500;
// A response that has not ended after this long is lost.
const CLIENT_TIMEOUT_MS = 30_000;
// The heap settles in the first half of a run and then holds; a leak keeps growing with the requests served,
// so the last quarter's highest RSS is held to the second's. Handles are counted with no connection open.
const BOUNDS = { rssGrowthMb: 32, rssPeakMb: 512, handleGrowth: 4 };
const QUESTIONS = [
  'Why do the requests fail?',
  'Which packages failed to install?',
  'Find what is broken and fix it.',
  'Summarise the errors.',
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Send one request and read its answer to the end, or to the error that ends it. */
async function send(dispatcher, baseUrl, format, tag, body) {
  const started = performance.now();
  const result = { status: 0, headers: {}, body: Buffer.alloc(0), error: undefined, timedOut: false };
  const chunks = [];
  try {
    const response = await request(`${baseUrl}${format.path}`, {
      method: 'POST',
      headers: format.headers(tag),
      body,
      dispatcher,
      headersTimeout: CLIENT_TIMEOUT_MS,
      bodyTimeout: CLIENT_TIMEOUT_MS,
    });
    result.status = response.statusCode;
    result.headers = response.headers;
    for await (const chunk of response.body) chunks.push(chunk);
  } catch (error) {
    result.error = error.code ?? error.message;
    result.timedOut = /TIMEOUT/.test(String(error.code));
  }
  result.body = Buffer.concat(chunks);
  result.ms = performance.now() - started;
  return result;
}

/** The figures of a run, filled in as responses are judged. */
function tally() {
  return {
    requests: 0,
    outcomes: new Map(),
    bad: [],
    /** Added latency of the answered requests, split by whether the proxy compressed them. */
    addedMs: { compressed: [], whole: [] },
    /** The same measure for requests sent straight to the model API. */
    directMs: [],
    compressed: 0,
    large: 0,
    changedOnTheWay: 0,
    /** Turns in which the model called headroom_retrieve. */
    retrievals: 0,
    /** How many requests should have their stats row say each failure. */
    reasons: new Map(),
  };
}

/** One request of the mix: its wire format, whether it streams, its tool outputs and its body. */
function requestOf(random, outputs) {
  const format = pick(random, FORMATS);
  const stream = random() < 0.6;
  const large = random() < 0.3;
  const picked = large
    ? [pick(random, outputs.large), pick(random, outputs.small)]
    : [pick(random, outputs.small)];
  const body = JSON.stringify(format.body({ stream, question: pick(random, QUESTIONS), outputs: picked }));
  return { format, stream, large, picked, body };
}

/**
 * A request of the mix sent straight to the model API by the same clients, under the same load: what the
 * latency the clients measure is without the proxy, when the API answered it whole.
 */
async function direct(dispatcher, upstream, figures, random, outputs, tag) {
  const { format, body } = requestOf(random, outputs);
  const result = await send(dispatcher, upstream.url, format, tag, body);
  const record = upstream.sent.get(tag);
  upstream.sent.delete(tag);
  const whole =
    record?.fault.kind === 'ok' && result.status === 200 && result.body.equals(Buffer.concat(record.written));
  if (whole && record.endedAt !== undefined)
    figures.directMs.push(result.ms - (record.endedAt - record.startedAt));
}

/** Send one request of the mix and judge what came back. */
async function exchange(dispatcher, baseUrl, upstream, figures, random, outputs, tag) {
  const { format, stream, large, picked, body } = requestOf(random, outputs);
  const result = await send(dispatcher, baseUrl, format, tag, body);
  const record = upstream.sent.get(tag);
  upstream.sent.delete(tag);
  const verdict = judge(result, record, format, stream);
  figures.requests++;
  const kind = record?.retrieval
    ? `retrieval+${record.continuation?.fault.kind ?? '-'}`
    : (record?.fault.kind ?? '-');
  const key = `${kind}\t${verdict.outcome}`;
  figures.outcomes.set(key, (figures.outcomes.get(key) ?? 0) + 1);
  if (verdict.bad) figures.bad.push({ tag, format: format.name, stream, ...verdict });
  if (!record) return;
  const reason = expectedReason(record);
  figures.reasons.set(reason, (figures.reasons.get(reason) ?? 0) + 1);
  if (large) figures.large++;
  if (record.retrieval) {
    figures.retrievals++;
    // The proxy answers the call from its store: the continuation carries the original the client sent.
    const original = JSON.stringify(picked[0].text.slice(0, 300)).slice(1, -1);
    if (record.continuation && !record.continuation.body.includes(original)) {
      figures.bad.push({
        tag,
        format: format.name,
        stream,
        bad: 'corrupted',
        why: 'the continuation lacks the original',
      });
    }
  }
  if (record.compressed) figures.compressed++;
  // Only a compressed request may reach the model API other than the client sent it.
  else if (record.received.sha256 !== sha256(body)) {
    figures.changedOnTheWay++;
    figures.bad.push({
      tag,
      format: format.name,
      stream,
      outcome: 'request changed',
      bad: 'corrupted',
      why: 'uncompressed body altered',
    });
  }
  if (verdict.outcome === 'answered' && record.endedAt !== undefined) {
    figures.addedMs[record.compressed ? 'compressed' : 'whole'].push(
      result.ms - (record.endedAt - record.startedAt),
    );
  }
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : Number.NaN;
}

/** The proxy's stats rows for the run, read back from its store as `headroom stats` reads them. */
async function statsRows(proxy) {
  const store = await openStatsStore({ cacheDir: proxy.dirs.HEADROOM_CACHE_DIR }, { readOnly: true });
  try {
    return await store.rows();
  } finally {
    await store.close();
  }
}

/** Counts per failure reason ('' for none), as text in a stable order. */
function reasonCounts(counts) {
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, count]) => `${reason || 'none'} ${count}`)
    .join(', ');
}

// ---- the run ----

const upstream = await startFaultyUpstream({ seed: SEED });
const proxy = await startProxyChild({
  env: {
    HEADROOM_ANTHROPIC_UPSTREAM: upstream.url,
    HEADROOM_OPENAI_UPSTREAM: upstream.url,
    HEADROOM_UPSTREAM_IDLE_MS: String(IDLE_MS),
  },
});
const pid = proxy.child.pid;
const started = memoryMb(pid);
const outputs = toolOutputs(hashOf(SEED));
const newDispatcher = () =>
  new Agent({
    connections: CLIENTS,
    keepAliveTimeout: 60_000,
    headersTimeout: CLIENT_TIMEOUT_MS,
    bodyTimeout: CLIENT_TIMEOUT_MS,
  });

// Warm up: every format, streamed and not, with and without a large output, so the engine, the token
// counter and the store are loaded before the first sample. Judged like the rest, counted apart.
const warm = tally();
{
  const dispatcher = newDispatcher();
  const random = generator(hashOf(`${SEED}:warm-up`));
  for (let i = 0; i < 24; i++)
    await exchange(dispatcher, proxy.url, upstream, warm, random, outputs, `warm-${i}`);
  await dispatcher.close();
}
/** Let every connection go (the clients' and the proxy's pool to the API), then read the proxy. */
async function quiesce() {
  upstream.closeIdle();
  await sleep(1000);
  return { ...memoryMb(pid), handles: openHandles(pid), cpu: cpuMs(pid), at: performance.now() };
}
const start = await quiesce();
const samples = [];
const sampler = setInterval(() => samples.push({ ...memoryMb(pid), handles: openHandles(pid) }), 250);

const figures = tally();
// The clients and the model API share this process: when its own loop lags, so does every latency it measures.
const ownLag = monitorEventLoopDelay({ resolution: 10 });
ownLag.enable();
const dispatcher = newDispatcher();
const deadline = performance.now() + SECONDS * 1000;
await Promise.all(
  Array.from({ length: CLIENTS }, async (_, client) => {
    const random = generator(hashOf(`${SEED}:client:${client}`));
    const straight = generator(hashOf(`${SEED}:direct:${client}`));
    for (let n = 0; performance.now() < deadline; n++) {
      await exchange(dispatcher, proxy.url, upstream, figures, random, outputs, `c${client}-${n}`);
      // Every eighth request goes straight to the model API, for the latency without the proxy.
      if (n % 8 === 7) await direct(dispatcher, upstream, figures, straight, outputs, `d${client}-${n}`);
    }
  }),
);
const loadSeconds = (performance.now() - start.at - 1000) / 1000;
await dispatcher.close();
ownLag.disable();
const load = loadavg()[0];
clearInterval(sampler);
const end = await quiesce();
const leftOver = upstream.sent.size;
const exitCode = await stopProxyChild(proxy);
const rows = await statsRows(proxy);
await upstream.close();
removeProxyDirs(proxy);

// ---- figures ----

const sent = warm.requests + figures.requests;
const bad = [...warm.bad, ...figures.bad];
const lost = bad.filter((b) => b.bad === 'lost').length;
const corrupted = bad.filter((b) => b.bad === 'corrupted').length;
const peakRss = Math.max(start.rss, ...samples.map((s) => s.rss), end.rss);
const peakHandles = Math.max(start.handles, ...samples.map((s) => s.handles));
const sorted = (values) => [...values].sort((a, b) => a - b);
const latency = (values) =>
  `p50 ${percentile(sorted(values), 0.5).toFixed(2)} ms, p99 ${percentile(sorted(values), 0.99).toFixed(2)} ms`;
const mb = (x) => `${x.toFixed(1)} MB`;

console.log(
  `soak: ${CLIENTS} clients for ${SECONDS} s against a faulting model API (seed "${SEED}", proxy idle timeout ${IDLE_MS} ms, node ${process.version})`,
);
console.log(
  `requests: ${figures.requests} (${(figures.requests / loadSeconds).toFixed(0)}/s) after ${warm.requests} to warm up; ` +
    `${figures.large} with a large tool output, ${figures.compressed} reached the model API compressed, ` +
    `${figures.retrievals} in which the model called headroom_retrieve (the fault then strikes the turn's continuation)`,
);
console.log(`${'fault'.padEnd(32)}${'outcome'.padEnd(48)}count`);
const rank = (key) => {
  const kind = key.split('\t')[0];
  return (kind.startsWith('retrieval+') ? 100 : 0) + FAULT_KINDS.indexOf(kind.replace(/^retrieval\+/, ''));
};
const ordered = [...figures.outcomes].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
for (const [key, count] of ordered) {
  const [fault, outcome] = key.split('\t');
  console.log(`${fault.padEnd(32)}${outcome.padEnd(48)}${String(count).padStart(5)}`);
}
console.log(
  `lost: ${lost}, corrupted: ${corrupted} (requests changed on the way up: ${figures.changedOnTheWay}; answers the API wrote that no client checked: ${leftOver})`,
);
for (const b of bad.slice(0, 10))
  console.log(`  ${b.bad} ${b.tag} ${b.format}${b.stream ? ' stream' : ''}: ${b.why}`);
const recorded = totals(rows);
const expectedReasons = new Map();
for (const figure of [warm, figures]) {
  for (const [reason, count] of figure.reasons)
    expectedReasons.set(reason, (expectedReasons.get(reason) ?? 0) + count);
}
const recordedReasons = new Map();
for (const row of rows) recordedReasons.set(row.error ?? '', (recordedReasons.get(row.error ?? '') ?? 0) + 1);
const reasonsMatch = reasonCounts(expectedReasons) === reasonCounts(recordedReasons);
console.log(
  `stats rows: ${rows.length} for ${sent} requests, ${recorded.tokensBefore} → ${recorded.tokensAfter} tokens; ` +
    `${recorded.retrievalRequests} with a retrieval; failures recorded: ${reasonCounts(recordedReasons)}${reasonsMatch ? ' (as faulted)' : `; faulted: ${reasonCounts(expectedReasons)}`}`,
);
console.log(
  `proxy RSS: ${mb(started.rss)} listening, start ${mb(start.rss)}, peak ${mb(peakRss)}, end ${mb(end.rss)}`,
);
const quarters = [0, 1, 2, 3].map((q) =>
  Math.max(...samples.slice((q * samples.length) >> 2, ((q + 1) * samples.length) >> 2).map((s) => s.rss)),
);
console.log(`proxy RSS, highest in each quarter of the run: ${quarters.map(mb).join(', ')}`);
console.log(`proxy open handles: start ${start.handles}, peak ${peakHandles}, end ${end.handles}`);
console.log(`proxy CPU: ${((end.cpu - start.cpu) / figures.requests).toFixed(2)} ms per request`);
const waited = (t) => `p50 ${t.overheadP50Ms?.toFixed(2)} ms, p99 ${t.overheadP99Ms?.toFixed(2)} ms`;
console.log(
  `the proxy's own record of the wait before going upstream (overhead_ms, as headroom perf --live reports it): ` +
    `${waited(recorded)}; compressed ${waited(totals(rows.filter((row) => row.transforms)))}, ` +
    `nothing to compress ${waited(totals(rows.filter((row) => !row.transforms)))}`,
);
const proxied = [...figures.addedMs.whole, ...figures.addedMs.compressed];
const p50 = (values) => percentile(sorted(values), 0.5);
console.log(
  `client time - model API time of answered requests: through the proxy ${latency(proxied)} ` +
    `(sent whole ${latency(figures.addedMs.whole)}, compressed ${latency(figures.addedMs.compressed)}); ` +
    `straight to the model API ${latency(figures.directMs)} (${figures.directMs.length} requests)`,
);
console.log(
  `added latency (through the proxy - straight, at the same percentile): p50 ${(p50(proxied) - p50(figures.directMs)).toFixed(2)} ms, ` +
    `p99 ${(percentile(sorted(proxied), 0.99) - percentile(sorted(figures.directMs), 0.99)).toFixed(2)} ms`,
);
console.log(
  `machine: load average ${load.toFixed(2)} at the end (${availableParallelism()} cores); the load generator's own event-loop ` +
    `delay p50 ${(ownLag.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(ownLag.percentile(99) / 1e6).toFixed(1)} ms`,
);

const failures = [];
if (lost || corrupted) failures.push(`${lost} lost and ${corrupted} corrupted responses`);
if (leftOver) failures.push(`${leftOver} answers no client checked`);
if (rows.length !== sent) failures.push(`${rows.length} stats rows for ${sent} requests`);
if (!reasonsMatch) failures.push('the stats rows record other failures than the model API made');
const retrieved = warm.retrievals + figures.retrievals;
if (recorded.retrievalRequests !== retrieved) {
  failures.push(
    `${recorded.retrievalRequests} stats rows with a retrieval for ${retrieved} turns that retrieved`,
  );
}
if (quarters[3] - quarters[1] > BOUNDS.rssGrowthMb) {
  failures.push(
    `RSS grew ${mb(quarters[3] - quarters[1])} from the second quarter to the last (bound ${BOUNDS.rssGrowthMb} MB)`,
  );
}
if (peakRss > BOUNDS.rssPeakMb) failures.push(`RSS peaked at ${mb(peakRss)} (bound ${BOUNDS.rssPeakMb} MB)`);
if (end.handles - start.handles > BOUNDS.handleGrowth) {
  failures.push(`open handles grew by ${end.handles - start.handles} (bound ${BOUNDS.handleGrowth})`);
}
if (exitCode !== 0) failures.push(`the proxy exited with ${exitCode}`);
console.log(
  `bounds: none lost or corrupted, a stats row per request saying how it failed and whether it retrieved, RSS growth from the second quarter to the last <= ${BOUNDS.rssGrowthMb} MB, ` +
    `peak <= ${BOUNDS.rssPeakMb} MB, open handles growth <= ${BOUNDS.handleGrowth}: ` +
    (failures.length ? `FAILED (${failures.join('; ')})` : 'met'),
);
process.exit(failures.length ? 1 : 0);
