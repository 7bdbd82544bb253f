// Proxy overhead: the same load sent straight to a model API and through `headroom proxy` (a child process
// of the built CLI), with 1 and 32 concurrent connections, JSON and streaming. Prints added latency
// (p50/p99), throughput relative to direct, and the proxy's peak RSS. Run with `npm run bench:proxy`.
//
// Two proxies: one with compression off (the relay's own cost), and one with compression on sent a small
// request with tools, below the compression threshold: the engine runs, headroom_retrieve is added to the
// tools, and the answer goes through the retrieve loop's reader, which is the work every agent turn pays.
//
// Two upstreams: one that answers instantly (the proxy's raw cost and capacity: here the proxy does as much
// HTTP work per request as the upstream itself, so throughput is bounded by CPU), and one that thinks for
// 20 ms before answering, still far faster than any real model API, which is what agents see.

import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { cpuMs, memoryMb, removeProxyDirs, startProxyChild, stopProxyChild } from './proxy-child.js';

const TARGETS = { addedP50Ms: 1, addedP99Ms: 5, throughputRatio: 0.9, rssMb: 150 };

// ---- a minimal, fast model API: canned Anthropic answers, JSON or SSE ----
const MESSAGE = JSON.stringify({
  id: 'msg_bench',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-6',
  content: [{ type: 'text', text: 'The failing test expects a trailing newline; add it and rerun.' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: {
    input_tokens: 812,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 640,
    output_tokens: 17,
  },
});
const EVENTS = [
  [
    'message_start',
    { type: 'message_start', message: { ...JSON.parse(MESSAGE), content: [], stop_reason: null } },
  ],
  [
    'content_block_start',
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  ],
  ...'The failing test expects a trailing newline; add it and rerun.'
    .split(' ')
    .map((word) => [
      'content_block_delta',
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `${word} ` } },
    ]),
  ['content_block_stop', { type: 'content_block_stop', index: 0 }],
  [
    'message_delta',
    { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 17 } },
  ],
  ['message_stop', { type: 'message_stop' }],
].map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

function startUpstream() {
  const server = createServer((req, res) => {
    let stream = false;
    const thinkMs = Number(req.headers['x-bench-think-ms'] ?? 0);
    req.on('data', (chunk) => {
      if (!stream && chunk.includes('"stream":true')) stream = true;
    });
    req.on('end', () => setTimeout(answer, thinkMs));
    const answer = () => {
      if (!stream) {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(MESSAGE),
        });
        res.end(MESSAGE);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const event of EVENTS) res.write(event);
      res.end();
    };
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// A realistic small agent turn: system prompt, a tool result and a question (~6 KB).
const toolOutput = Array.from(
  { length: 60 },
  (_, i) => `src/module${i}.ts:${i + 10}: export function handler${i}()`,
).join('\n');
const TOOLS = [
  {
    name: 'Bash',
    description: 'Run a shell command',
    input_schema: { type: 'object', properties: { command: { type: 'string' } } },
  },
];
function body(stream, tools) {
  return JSON.stringify({
    model: 'claude-sonnet-4-6',
    max_tokens: 1024,
    stream,
    system: 'You are a coding agent working in a TypeScript repository.',
    ...(tools ? { tools: TOOLS } : {}),
    messages: [
      { role: 'user', content: 'Find where the handlers are exported.' },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'Grep', input: { pattern: 'export function' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: toolOutput }] },
    ],
  });
}

async function run(baseUrl, { concurrency, requests, stream, thinkMs, compress }) {
  const dispatcher = new Agent({ connections: concurrency, keepAliveTimeout: 60_000 });
  const payload = body(stream, compress);
  const headers = {
    'content-type': 'application/json',
    'x-api-key': 'sk-ant-bench',
    'anthropic-version': '2023-06-01',
    'x-bench-think-ms': String(thinkMs),
  };
  const latencies = [];
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      next++;
      const started = performance.now();
      const response = await request(`${baseUrl}/v1/messages`, {
        method: 'POST',
        headers,
        body: payload,
        dispatcher,
      });
      await response.body.arrayBuffer();
      if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { p50: pct(50), p99: pct(99), rps: requests / seconds };
}

const upstream = await startUpstream();
const upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;
const proxyOf = (flags) => startProxyChild({ env: { HEADROOM_ANTHROPIC_UPSTREAM: upstreamUrl }, flags });
const relayOnly = await proxyOf(['--no-compress']);
const compressing = await proxyOf([]);
// `gated`: the targets apply (latency at c=1 against the instant upstream is the proxy's pure cost; with
// the 20 ms upstream every figure counts). Saturating the instant upstream at c=32 measures capacity only.
const scenarios = [
  { thinkMs: 0, concurrency: 1, stream: false, requests: 800, gated: 'latency' },
  { thinkMs: 0, concurrency: 1, stream: true, requests: 800, gated: 'latency' },
  { thinkMs: 0, concurrency: 32, stream: false, requests: 3000, gated: false },
  { thinkMs: 0, concurrency: 32, stream: true, requests: 3000, gated: false },
  { thinkMs: 20, concurrency: 1, stream: false, requests: 150, gated: 'all' },
  { thinkMs: 20, concurrency: 1, stream: true, requests: 150, gated: 'all' },
  { thinkMs: 20, concurrency: 32, stream: false, requests: 2000, gated: 'all' },
  { thinkMs: 20, concurrency: 32, stream: true, requests: 2000, gated: 'all' },
  { thinkMs: 0, concurrency: 1, stream: false, requests: 800, gated: 'latency', compress: true },
  { thinkMs: 0, concurrency: 1, stream: true, requests: 800, gated: 'latency', compress: true },
  { thinkMs: 20, concurrency: 1, stream: false, requests: 150, gated: 'all', compress: true },
  { thinkMs: 20, concurrency: 1, stream: true, requests: 150, gated: 'all', compress: true },
  { thinkMs: 20, concurrency: 32, stream: false, requests: 2000, gated: 'all', compress: true },
  { thinkMs: 20, concurrency: 32, stream: true, requests: 2000, gated: 'all', compress: true },
];

const f = (n, digits = 2) => n.toFixed(digits).padStart(7);
console.log(`proxy overhead (node ${process.version}, upstream ${upstreamUrl})`);
console.log(
  'compression  upstream  conc  mode     direct p50/p99 ms    proxied p50/p99 ms    added p50/p99 ms   throughput                       proxy CPU ms/req',
);
const worst = { addedP50: 0, addedP99: 0, ratio: Number.POSITIVE_INFINITY };
const benchStarted = performance.now();
for (const scenario of scenarios) {
  // Warm both paths (connections, JIT) before measuring.
  const warmup = { ...scenario, requests: Math.min(100, scenario.requests) };
  await run(upstreamUrl, warmup);
  const proxy = scenario.compress ? compressing : relayOnly;
  await run(proxy.url, warmup);
  const direct = await run(upstreamUrl, scenario);
  const cpuBefore = cpuMs(proxy.child.pid);
  const proxied = await run(proxy.url, scenario);
  const cpuPerRequest = (cpuMs(proxy.child.pid) - cpuBefore) / scenario.requests;
  const added = { p50: proxied.p50 - direct.p50, p99: proxied.p99 - direct.p99 };
  const ratio = proxied.rps / direct.rps;
  if (scenario.gated) {
    worst.addedP50 = Math.max(worst.addedP50, added.p50);
    worst.addedP99 = Math.max(worst.addedP99, added.p99);
  }
  if (scenario.gated === 'all') worst.ratio = Math.min(worst.ratio, ratio);
  const upstreamLabel = scenario.thinkMs ? `${scenario.thinkMs} ms` : 'instant';
  console.log(
    `${(scenario.compress ? 'on' : 'off').padEnd(11)}  ${upstreamLabel.padEnd(8)}  ${String(scenario.concurrency).padStart(4)}  ${(scenario.stream ? 'stream' : 'json').padEnd(6)} ${f(direct.p50)} / ${f(direct.p99)}   ${f(proxied.p50)} / ${f(proxied.p99)}   ${f(added.p50)} / ${f(added.p99)}   ${f(ratio * 100, 1)}% (${Math.round(proxied.rps)} vs ${Math.round(direct.rps)} req/s)`.padEnd(
      139,
    ) + f(cpuPerRequest, 3),
  );
}
const rss = Math.max(memoryMb(relayOnly.child.pid).peak, memoryMb(compressing.child.pid).peak);
console.log(
  `proxy peak RSS: ${memoryMb(relayOnly.child.pid).peak.toFixed(1)} MB compression off, ${memoryMb(compressing.child.pid).peak.toFixed(1)} MB on   total time ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`,
);
const verdict = (ok) => (ok ? 'ok' : 'MISSED');
console.log(
  `targets: added p50 <= ${TARGETS.addedP50Ms} ms: ${verdict(worst.addedP50 <= TARGETS.addedP50Ms)} (worst ${worst.addedP50.toFixed(2)}), ` +
    `added p99 <= ${TARGETS.addedP99Ms} ms: ${verdict(worst.addedP99 <= TARGETS.addedP99Ms)} (worst ${worst.addedP99.toFixed(2)}), ` +
    `throughput >= ${TARGETS.throughputRatio * 100}%: ${verdict(worst.ratio >= TARGETS.throughputRatio)} (worst ${(worst.ratio * 100).toFixed(1)}%), ` +
    `RSS <= ${TARGETS.rssMb} MB: ${verdict(rss <= TARGETS.rssMb)}`,
);

for (const proxy of [relayOnly, compressing]) {
  await stopProxyChild(proxy);
  removeProxyDirs(proxy);
}
upstream.close();
