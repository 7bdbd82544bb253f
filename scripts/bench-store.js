// The shared store under load: one `headroom proxy` on its embedded SQLite files against two proxies on one
// redis-server (requests dealt between them in turn, as a load balancer would), the same load for both, in
// one run. Prints throughput and latency of agent turns whose tool output is compressed (a new original
// kept per request), and of turns in which the model calls headroom_retrieve and the proxy answers it from
// the store. Needs redis-server on PATH (Debian: apt-get install redis-server). Run with `npm run bench:store`.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { removeProxyDirs, startProxyChild, stopProxyChild } from './proxy-child.js';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const TURNS = Number(process.env.BENCH_TURNS ?? 600);
const RETRIEVE_TURNS = Number(process.env.BENCH_RETRIEVE_TURNS ?? 300);
const RETRIEVE_CALL = 'toolu_hr_bench';

// ---- a model API that answers at once; on a retrieve turn it first asks for the request's original ----
function message(content, stopReason) {
  return JSON.stringify({
    id: 'msg_bench',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-6',
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: {
      input_tokens: 900,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 12,
    },
  });
}

const seen = { turns: 0, compressed: 0, continuations: 0 };
function startUpstream() {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const marker = /headroom_retrieve id=(hr_[0-9a-f]{12})/.exec(body)?.[1];
      let answer;
      if (body.includes(`"${RETRIEVE_CALL}"`)) {
        seen.continuations++;
        answer = message([{ type: 'text', text: 'The error is the missing config key.' }], 'end_turn');
      } else {
        seen.turns++;
        if (marker) seen.compressed++;
        answer =
          marker && req.headers['x-bench-retrieve'] === '1'
            ? message(
                [{ type: 'tool_use', id: RETRIEVE_CALL, name: 'headroom_retrieve', input: { id: marker } }],
                'tool_use',
              )
            : message([{ type: 'text', text: 'Noted.' }], 'end_turn');
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// A server log of ~400 lines (~40 KB), made distinct per request so each keeps a new original.
function serverLog(n) {
  const lines = [];
  for (let i = 0; i < 400; i++) {
    const level = i % 97 === 13 ? 'ERROR' : i % 11 === 0 ? 'WARN' : 'INFO';
    lines.push(
      `2026-03-0${1 + (i % 9)}T10:${String(i % 60).padStart(2, '0')}:00.${String(i).padStart(3, '0')}Z ${level} worker-${i % 4} request ${n}-${i} GET /api/items/${i * 7} ${200 + (i % 3)} ${i % 50}ms`,
    );
  }
  lines.push(`2026-03-09T10:59:59.999Z ERROR run ${n}: config key "upstream.timeout" is missing`);
  return lines.join('\n');
}

function body(n) {
  return JSON.stringify({
    model: 'claude-sonnet-4-6',
    max_tokens: 1024,
    tools: [{ name: 'Bash', description: 'Run a shell command', input_schema: { type: 'object' } }],
    messages: [
      { role: 'user', content: 'Why does the service fail to start?' },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'cat server.log' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: serverLog(n) }] },
    ],
  });
}

let run = 0;
/** Send `count` turns over `CONCURRENCY` connections, dealt in turn between `urls`; latencies and req/s. */
async function load(urls, count, retrieve) {
  const dispatcher = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 60_000 });
  const headers = {
    'content-type': 'application/json',
    'x-api-key': 'sk-ant-bench',
    'anthropic-version': '2023-06-01',
    'x-bench-retrieve': retrieve ? '1' : '0',
  };
  const latencies = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      const payload = body(`${run}-${n}`);
      const started = performance.now();
      const response = await request(`${urls[n % urls.length]}/v1/messages`, {
        method: 'POST',
        headers,
        body: payload,
        dispatcher,
      });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}: ${text}`);
      latencies.push(performance.now() - started);
    }
  };
  run++;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { p50: pct(50), p99: pct(99), rps: count / seconds };
}

// ---- redis-server on a free loopback port, nothing saved to disk ----
async function startRedis() {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-redis-'));
  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve, reject) => {
    let out = '';
    child.once('error', (error) =>
      reject(
        new Error(`cannot start redis-server (${error.message}); install it: apt-get install redis-server`),
      ),
    );
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('Ready to accept connections')) resolve();
    });
  });
  child.stdout.resume();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }).then(() => rmSync(dir, { recursive: true, force: true })),
  };
}

const upstream = await startUpstream();
const upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;
const redis = await startRedis();
const env = { HEADROOM_ANTHROPIC_UPSTREAM: upstreamUrl };
const setups = [
  { name: '1 proxy, SQLite', proxies: [await startProxyChild({ env })] },
  {
    name: '2 proxies, Redis',
    proxies: await Promise.all(
      [0, 1].map(() => startProxyChild({ env: { ...env, HEADROOM_STORE: redis.url } })),
    ),
  },
];

const f = (n, digits = 1) => n.toFixed(digits).padStart(7);
console.log(
  `shared store (node ${process.version}, ${CONCURRENCY} concurrent connections, ${TURNS} compressed turns, ${RETRIEVE_TURNS} retrieve turns, ~40 KB log per turn)`,
);
console.log(
  'setup               compressed turns: req/s   p50 ms   p99 ms    retrieve turns: req/s   p50 ms   p99 ms',
);
for (const setup of setups) {
  const urls = setup.proxies.map((proxy) => proxy.url);
  // Warm the connections, the compression threads and the JIT before measuring.
  await load(urls, 60, false);
  await load(urls, 30, true);
  const before = { ...seen };
  const turns = await load(urls, TURNS, false);
  const retrieves = await load(urls, RETRIEVE_TURNS, true);
  const compressedShare = (seen.compressed - before.compressed) / (seen.turns - before.turns);
  const answered = seen.continuations - before.continuations;
  if (compressedShare < 0.99 || answered !== RETRIEVE_TURNS) {
    throw new Error(
      `${setup.name}: ${Math.round(compressedShare * 100)}% of turns compressed, ${answered} of ${RETRIEVE_TURNS} retrieves answered`,
    );
  }
  console.log(
    `${setup.name.padEnd(18)}  ${f(turns.rps).padStart(23)}  ${f(turns.p50)}  ${f(turns.p99)}   ${f(retrieves.rps).padStart(21)}  ${f(retrieves.p50)}  ${f(retrieves.p99)}`,
  );
}

for (const setup of setups) {
  for (const proxy of setup.proxies) {
    await stopProxyChild(proxy);
    removeProxyDirs(proxy);
  }
}
await redis.stop();
upstream.close();
