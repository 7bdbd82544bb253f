// What a user pays through headroom versus going direct: three agent sessions (Claude Code on the Messages API,
// Codex on the Responses API, with function tools and in its default model's code mode) built from the shared corpus, each replayed turn by turn once straight to a
// local model API and once through `headroom proxy` (the built CLI), with the provider's prompt caching
// simulated on the requests exactly as the model API received them. Run with `npm run bench:session`
// (builds first); `--questions` adds each item's question as a message typed while the agent works; `--show N`
// prints call N's output as the model received it through headroom.
//
// The model API here answers every turn with the session's next tool call, so both runs hold the same
// conversation; only what the proxy rewrote differs. Figures are the same from run to run, timing aside.
//
// `--long`: a 60-turn Claude Code session (the same ground gone over three times) with a 10-minute pause at
// turn 30, past the cache's 5-minute lifetime, replayed direct, through headroom with per-block compression
// alone (`--history off`) and with cache-aware history (`--history cold`); the proxies run in this process on
// the session's simulated clock, so the pause costs no waiting.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { request } from 'undici';
import { markerIds } from '../dist/compress/marker.js';
import { ToolPolicy } from '../dist/compress/policy.js';
import { countTokens } from '../dist/compress/tokens.js';
import { resolveConfig } from '../dist/config.js';
import {
  ANTHROPIC_CACHE,
  anthropicPrompt,
  billedCost,
  OPENAI_CACHE,
  PromptCache,
  responsesPrompt,
} from '../dist/perf/cache-sim.js';
import { startProxy as startProxyHere } from '../dist/proxy/server.js';
import { priceFor } from '../dist/stats/money.js';
import { bin, removeProxyDirs, root, startProxyChild, stopProxyChild } from './proxy-child.js';
import { claudeCodeSession } from './sessions/claude-code.js';
import { codexSession } from './sessions/codex.js';

const corpusDir = process.env.HEADROOM_CORPUS ?? resolve(root, '../shared/corpus');
const questions = process.argv.includes('--questions');
// `--show 15`: print the output of call 15 of each session as the model received it through headroom.
const showAt = process.argv.indexOf('--show');
const show = showAt > 0 ? Number(process.argv[showAt + 1]) : undefined;
const long = process.argv.includes('--long');
// `--missing`: after each call's row, the needles that did not reach the model verbatim.
const missing = process.argv.includes('--missing');
const TARGETS = { billedRatio: 0.5, needlesVerbatim: 0.95, longBilledRatio: 0.35 };
// Simulated time between two requests of a session: a model's answer plus the tool's run.
const TURN_GAP_MS = 20_000;
// The long session's pause: from this turn on, every request comes this much later.
const PAUSE = { atTurn: 30, ms: 10 * 60_000 };
const EPOCH = Date.UTC(2026, 0, 5, 9);
// The pause of the session being replayed, if it has one.
let pause;
/** When the request of `turn` goes out, in the session's simulated time (ms from its start). */
const timeOf = (turn) => turn * TURN_GAP_MS + (pause && turn >= pause.atTurn ? pause.ms : 0);
// The simulated time of the request in flight: the in-process proxies' clock.
let simulatedNow = 0;
const PROVIDERS = {
  anthropic: { rules: ANTHROPIC_CACHE, prompt: anthropicPrompt },
  openai: { rules: OPENAI_CACHE, prompt: responsesPrompt },
};

if (!existsSync(corpusDir) || !readdirSync(corpusDir).some((f) => f.endsWith('.meta.json'))) {
  console.log(
    `bench:session needs the shared corpus (../shared/corpus or HEADROOM_CORPUS); not found at ${corpusDir}`,
  );
  process.exit(0);
}

/** One corpus item, read in place: its text, question and needles. */
function corpusItem(name) {
  const meta = JSON.parse(readFileSync(join(corpusDir, `${name}.meta.json`), 'utf8'));
  return {
    name,
    text: readFileSync(join(corpusDir, name), 'utf8'),
    question: meta.question,
    needles: meta.needles,
  };
}

// ---- the model API: answers each turn with the session's next call and bills it through the cache ----

function startUpstream() {
  let run;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      if (!run || req.method !== 'POST' || run.session.path.split('?')[0] !== req.url.split('?')[0]) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ error: { type: 'not_found', message: `no route ${req.method} ${req.url}` } }),
        );
        return;
      }
      const raw = Buffer.concat(chunks);
      const body = JSON.parse(raw.toString('utf8'));
      const { session, cache, provider } = run;
      const side = session.isSide?.(body) ?? false;
      const turn = session.resultsIn(body);
      const content = side ? session.sideReply(body) : session.reply(turn);
      // A side request goes out while the agent works on a turn: it shares the turn's moment.
      const usage = cache.bill(provider.prompt(body), timeOf(turn));
      const outputTokens = countTokens(JSON.stringify(content), session.model);
      run.records.push({ turn, side, model: body.model, body, usage, outputTokens });
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(session.events(content, usage, outputTokens));
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolveStart) =>
    server.listen(0, '127.0.0.1', () =>
      resolveStart({
        url: `http://127.0.0.1:${server.address().port}`,
        /** Record and bill what arrives for `session` from now on, in a fresh cache. */
        serve(session) {
          const provider = PROVIDERS[session.provider];
          run = { session, provider, cache: new PromptCache(provider.rules, session.model), records: [] };
          return run.records;
        },
        close: () => new Promise((done) => server.close(done)),
      }),
    ),
  );
}

/** A proxy in this process on the simulated clock, with its own private store; `history` as `--history`. */
async function startProxyOnClock(upstreamUrl, history) {
  const dirs = {
    HEADROOM_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'headroom-bench-config-')),
    HEADROOM_CACHE_DIR: mkdtempSync(join(tmpdir(), 'headroom-bench-cache-')),
  };
  const { config } = resolveConfig({ port: 0, history }, { ...dirs });
  const running = await startProxyHere({
    config: { ...config, anthropicUpstream: upstreamUrl, openaiUpstream: upstreamUrl },
    now: () => EPOCH + simulatedNow,
  });
  return { url: running.url, dirs, close: () => running.close(1000) };
}

/** Tell the proxy a session is starting, as `headroom wrap` does, and return the agent's base URL. */
async function openSession(proxy, id, agent) {
  const response = await request(`${proxy.url}/admin/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, agent, project: '/tmp/corpus-build' }),
  });
  await response.body.text();
  if (response.statusCode >= 300) throw new Error(`the proxy refused session ${id}: ${response.statusCode}`);
  return `${proxy.url}/s/${id}`;
}

/** The originals behind marker ids, read back with `headroom retrieve` from the proxy's store. */
function retrieveOriginals(proxy, ids) {
  const originals = new Map();
  for (const id of ids) {
    const run = spawnSync(process.execPath, [bin, 'retrieve', id, '--json'], {
      env: { ...process.env, ...proxy.dirs },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    try {
      const result = JSON.parse(run.stdout);
      if (result.found) originals.set(id, result.text);
    } catch {
      // An id the store does not know leaves its needles unreachable.
    }
  }
  return originals;
}

// ---- one replay: the agent's side of the conversation ----

/** Send one request as the agent would, and read the answer back from its event stream. */
async function send(session, url, headers, body) {
  const response = await request(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const stream = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}: ${stream.slice(0, 300)}`);
  return session.readReply(stream);
}

/** Play the session to its end; counts the answers that reached the agent other than the model sent them. */
async function replay(session, baseUrl) {
  const state = session.start();
  const url = `${baseUrl}${session.path}`;
  let altered = 0;
  for (let turn = 0; turn <= session.steps.length; turn++) {
    simulatedNow = timeOf(turn);
    const content = await send(session, url, session.headers, session.body(state));
    if (!isDeepStrictEqual(content, session.reply(turn))) altered++;
    if (turn === session.steps.length) break;
    session.append(state, content, turn);
    for (const side of session.sideRequests?.(turn) ?? []) {
      const answer = await send(session, url, session.sideHeaders, side);
      if (!isDeepStrictEqual(answer, session.sideReply(side))) altered++;
    }
  }
  return { altered };
}

// ---- figures ----

const n = (x) => Math.round(x).toLocaleString('en-US');
const money = (x) => `$${x.toFixed(4)}`;
const pct = (x) => `${(100 * x).toFixed(1)}%`;
const clip = (text, width) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);
const costOf = (record) => billedCost(record.usage, record.outputTokens, record.model) ?? 0;
const sum = (records, of) => records.reduce((total, record) => total + of(record), 0);

function callLabel(step) {
  const input = step.call.input;
  const what = input.command ?? input.cmd ?? input.file_path ?? input.pattern ?? input.url ?? '';
  return `${step.call.name} ${typeof what === 'string' ? what : ''}`.trim();
}

/** The `headroom_retrieve` definition the proxy adds: its tokens, and what they were billed at. */
/**
 * The JSON object holding `marker` within `text`: the tool's own entry, where a segment holds more (Codex's
 * code mode lists every tool in one input item).
 */
function toolEntryIn(text, marker) {
  const at = text.indexOf(marker);
  // Back to the brace that opens the object around the marker (its keys may come in any order).
  let start = at;
  for (let open = 0; start > 0; start--) {
    if (text[start] === '}') open++;
    else if (text[start] === '{' && open-- === 0) break;
  }
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return text;
}

function retrieveToolCost(session, records) {
  const provider = PROVIDERS[session.provider];
  let tokens = 0;
  let cost = 0;
  for (const record of records) {
    const price = priceFor(record.model);
    const segments = provider.prompt(record.body);
    const at = segments.findIndex((s) => s.text.includes('"name":"headroom_retrieve"'));
    if (at < 0) continue;
    const through = sum(segments.slice(0, at + 1), (s) => countTokens(s.text, session.model));
    tokens = countTokens(toolEntryIn(segments[at].text, '"name":"headroom_retrieve"'), session.model);
    const { cacheRead, cacheWrite } = record.usage;
    const rate =
      cacheRead >= through
        ? price.cacheRead
        : cacheRead + cacheWrite >= through
          ? price.cacheWrite
          : price.input;
    cost += (tokens * rate) / 1e6;
  }
  return { tokens, cost };
}

/** Every request of the session's turns: prompt tokens, cache split and cost, direct and proxied. */
function turnTable(session, direct, proxied, say) {
  const usage = (u) =>
    `${n(u.total).padStart(9)}${n(u.cacheRead).padStart(9)}${n(u.cacheWrite).padStart(9)}${n(u.input).padStart(7)}`;
  say(
    `${'turn'.padStart(4)}  ${'after the call'.padEnd(44)}${'direct: prompt  read     write  input'.padStart(40)}` +
      `${'proxied: prompt  read     write  input'.padStart(40)}${'$ direct'.padStart(10)}${'$ proxied'.padStart(10)}`,
  );
  direct.forEach((d, i) => {
    const p = proxied[i];
    const label = i === 0 ? '(the request)' : clip(callLabel(session.steps[i - 1]), 43);
    say(
      `${String(i + 1).padStart(4)}  ${label.padEnd(44)}${' '.repeat(6)}${usage(d.usage)}${' '.repeat(6)}${usage(p.usage)}` +
        `${money(costOf(d)).padStart(10)}${money(costOf(p)).padStart(10)}`,
    );
  });
  say(
    `${'all'.padStart(4)}  ${''.padEnd(44)}${n(sum(direct, (r) => r.usage.total)).padStart(15)}${''.padStart(25)}` +
      `${n(sum(proxied, (r) => r.usage.total)).padStart(15)}${''.padStart(25)}` +
      `${money(sum(direct, costOf)).padStart(10)}${money(sum(proxied, costOf)).padStart(10)}`,
  );
}

/** Each corpus item as the model received it, and which of its needles got there. */
function outputTable(session, direct, proxied, originals, say) {
  const policy = new ToolPolicy();
  const needles = { all: 0, direct: 0, proxied: 0, retrievable: 0 };
  say(
    `${'step'.padStart(4)}  ${'call'.padEnd(44)}${'corpus item'.padEnd(38)}${'tokens direct'.padStart(14)}` +
      `${'proxied'.padStart(9)}  ${'passed'.padEnd(28)}${'needles d/p/+r'.padStart(14)}`,
  );
  session.steps.forEach((step, i) => {
    if (!step.item) return;
    const seen = (records) => session.outputIn(records[i + 1].body, i) ?? '';
    const [d, p] = [seen(direct), seen(proxied)];
    const ids = markerIds(p);
    const inDirect = step.item.needles.filter((needle) => d.includes(needle));
    const inProxied = inDirect.filter((needle) => p.includes(needle));
    const retrievable = inDirect.filter(
      (needle) => !p.includes(needle) && ids.some((id) => originals.get(id)?.includes(needle)),
    );
    needles.all += step.item.needles.length;
    needles.direct += inDirect.length;
    needles.proxied += inProxied.length;
    needles.retrievable += retrievable.length;
    const decision = policy.decide({ toolName: step.call.name, toolArgs: JSON.stringify(step.call.input) });
    const passed =
      d === p
        ? `whole${decision === 'compress' ? '' : ` (policy: ${decision})`}`
        : `compressed${ids.length ? ', retrievable' : ''}`;
    const found = `${inDirect.length}/${inProxied.length}/+${retrievable.length} of ${step.item.needles.length}`;
    if (show === i + 1)
      say(
        `---- call ${i + 1} through headroom ----\n${p}\n---- missing: ${inDirect.filter((x) => !inProxied.includes(x)).join(' | ')}`,
      );
    say(
      `${String(i + 1).padStart(4)}  ${clip(callLabel(step), 43).padEnd(44)}${clip(step.item.name, 37).padEnd(38)}` +
        `${n(countTokens(d, session.model)).padStart(14)}${n(countTokens(p, session.model)).padStart(9)}  ` +
        `${passed.padEnd(28)}${found.padStart(14)}`,
    );
    const lost = inDirect.filter((x) => !inProxied.includes(x));
    if (missing && lost.length) say(`      missing: ${lost.map((x) => JSON.stringify(x)).join(' | ')}`);
  });
  return needles;
}

function report(session, run, originals) {
  const { direct, proxied, altered } = run;
  const main = (records) => records.filter((r) => !r.side);
  const side = (records) => records.filter((r) => r.side);
  const price = priceFor(session.model);
  const lines = [];
  const say = (line = '') => lines.push(line);
  say(
    `${session.name} (${session.model}: $${price.input}/$${price.output} per M tokens in/out, cache reads ` +
      `$${price.cacheRead}, writes $${price.cacheWrite}); ${session.steps.length} tool calls; ` +
      `request: "${session.request}"${questions ? " + each item's question" : ''}`,
  );
  const calls = new Map();
  for (const step of session.steps) calls.set(step.call.name, (calls.get(step.call.name) ?? 0) + 1);
  say(`calls: ${[...calls].map(([name, count]) => `${count} ${name}`).join(', ')}`);
  turnTable(session, main(direct), main(proxied), say);
  if (side(direct).length) {
    const [d, p] = [side(direct), side(proxied)];
    say(
      `side requests (${d[0].model}, which files a command showed, after each command that succeeded): ` +
        `${d.length}, ${n(sum(d, (r) => r.usage.total))} prompt tokens direct, ${n(sum(p, (r) => r.usage.total))} proxied; ` +
        `${money(sum(d, costOf))} direct, ${money(sum(p, costOf))} proxied`,
    );
  }
  const [billedDirect, billedProxied] = [sum(direct, costOf), sum(proxied, costOf)];
  const ratio = billedProxied / billedDirect;
  const promptShare = sum(proxied, (r) => r.usage.total) / sum(direct, (r) => r.usage.total);
  say(
    `billed: direct ${money(billedDirect)}, through headroom ${money(billedProxied)}: ${ratio.toFixed(3)}x direct ` +
      `(prompt tokens ${pct(promptShare)} of direct; ${n(sum(direct, (r) => r.outputTokens))} output tokens, the same in both)`,
  );
  const tool = retrieveToolCost(session, proxied);
  say(
    `headroom_retrieve tool: ${n(tool.tokens)} tokens added to every request, ${money(tool.cost)} over the ` +
      `session (${pct(tool.cost / billedProxied)} of the bill)` +
      (altered ? `; ${altered} answers reached the agent altered` : ''),
  );
  say();
  const needles = outputTable(session, main(direct), main(proxied), originals, say);
  const verbatim = needles.direct ? needles.proxied / needles.direct : 1;
  say(
    `needles: ${needles.all} in the items; ${needles.direct} survive the agent's own cuts (direct); ` +
      `${needles.proxied} of those reach the model verbatim through headroom (${pct(verbatim)}), ` +
      `${needles.retrievable} more one headroom_retrieve away`,
  );
  const verdict = (ok) => (ok ? 'met' : 'MISSED');
  say(
    `targets: billed <= ${TARGETS.billedRatio}x direct: ${verdict(ratio <= TARGETS.billedRatio)} (${ratio.toFixed(3)}x); ` +
      `needles verbatim >= ${pct(TARGETS.needlesVerbatim)}: ${verdict(verbatim >= TARGETS.needlesVerbatim)} (${pct(verbatim)})`,
  );
  return lines.join('\n');
}

// ---- the run ----

/** A long session: direct, per-block compression alone, and with cache-aware history. */
async function longRun(rounds, sessionPause) {
  pause = sessionPause;
  const upstream = await startUpstream();
  const session = claudeCodeSession(corpusItem, { questions, rounds });
  const direct = upstream.serve(session);
  await replay(session, upstream.url);
  const replayed = {};
  for (const history of ['off', 'cold']) {
    const proxy = await startProxyOnClock(upstream.url, history);
    replayed[history] = { records: upstream.serve(session), proxy };
    try {
      await replay(session, `${proxy.url}/s/bench-long-${history}`);
    } finally {
      await proxy.close();
    }
  }
  await upstream.close();
  const main = (records) => records.filter((r) => !r.side);
  const billed = (records) => sum(records, costOf);
  const [perBlock, withHistory] = [replayed.off.records, replayed.cold.records];
  // The rewrite points: the first request, the first after the pause, and those where the context neared
  // the window (a request whose prompt is smaller than the one before it).
  const points = new Set([0, ...(pause ? [pause.atTurn] : [])]);
  main(withHistory).forEach((r, turn) => {
    if (turn > 0 && r.usage.total < main(withHistory)[turn - 1].usage.total) points.add(turn);
  });
  const between = (records) => main(records).filter((_, turn) => !points.has(turn));
  const writesBetween = (records) => sum(between(records), (r) => r.usage.cacheWrite);
  // Writes of what the previous request had already sent: a prefix the proxy changed, the cache broken.
  const rewrittenBetween = (records) =>
    sum(
      main(records).filter((_, turn) => turn > 0 && !points.has(turn)),
      (r) => {
        const before = main(records)[main(records).indexOf(r) - 1];
        return Math.max(0, r.usage.cacheWrite - (r.usage.total - before.usage.total));
      },
    );
  const lines = [];
  const say = (line = '') => lines.push(line);
  say(
    `${session.name}, long: ${session.steps.length} tool calls, ${TURN_GAP_MS / 1000} s apart` +
      (pause
        ? `, paused ${pause.ms / 60_000} min before turn ${pause.atTurn + 1} (the cache lives 5 min unused)`
        : `, no pause: rewrite points only where the prompt nears 70% of the 200k window`),
  );
  const rewrites = [...points].filter((turn) => turn > 0).map((turn) => turn + 1);
  say(`rewrite points that changed the prompt: turns ${rewrites.join(', ') || 'none'}`);
  turnTable(session, main(direct), main(withHistory), say);
  const ratio = billed(withHistory) / billed(direct);
  say(
    `billed: direct ${money(billed(direct))}, per-block compression alone ${money(billed(perBlock))} ` +
      `(${(billed(perBlock) / billed(direct)).toFixed(3)}x direct), with cache-aware history ${money(billed(withHistory))}: ` +
      `${ratio.toFixed(3)}x direct, ${(billed(withHistory) / billed(perBlock)).toFixed(3)}x per-block`,
  );
  const [writesPerBlock, writesHistory] = [writesBetween(perBlock), writesBetween(withHistory)];
  say(
    `cache writes between rewrite points: per-block ${n(writesPerBlock)} tokens, with history ${n(writesHistory)}; ` +
      `of them rewriting what the previous request had sent: per-block ${n(rewrittenBetween(perBlock))}, ` +
      `with history ${n(rewrittenBetween(withHistory))} (history's extra writes are later copies of outputs it ` +
      'set aside: per-block sends them as a reference to the earlier copy, history as their own compressed text)',
  );
  // From the first rewrite point that changed the prompt to the end, its own write included: what setting
  // outputs aside cost in writes against what it saved at the point itself.
  const firstRewrite = Math.min(...[...points].filter((turn) => turn > 0));
  const writesFrom = (records) =>
    sum(
      main(records).filter((_, turn) => turn >= firstRewrite),
      (r) => r.usage.cacheWrite,
    );
  if (Number.isFinite(firstRewrite))
    say(
      `cache writes from turn ${firstRewrite + 1} on, the rewrite point's own included: per-block ` +
        `${n(writesFrom(perBlock))} tokens, with history ${n(writesFrom(withHistory))}`,
    );
  const verdict = (ok) => (ok ? 'met' : 'MISSED');
  say(
    (pause
      ? `targets: billed <= ${TARGETS.longBilledRatio}x direct: ${verdict(ratio <= TARGETS.longBilledRatio)} (${ratio.toFixed(3)}x); `
      : 'targets: ') +
      `no more cache writes than per-block between rewrite points: ${verdict(writesHistory <= writesPerBlock)}`,
  );
  for (const { proxy } of Object.values(replayed)) removeProxyDirs(proxy);
  console.log(lines.join('\n'));
}

if (long) {
  const started = performance.now();
  await longRun(3, PAUSE);
  console.log();
  await longRun(5, undefined);
  console.log(`total time ${((performance.now() - started) / 1000).toFixed(1)} s (node ${process.version})`);
  process.exit(0);
}

const started = performance.now();
const upstream = await startUpstream();
const proxy = await startProxyChild({
  env: { HEADROOM_ANTHROPIC_UPSTREAM: upstream.url, HEADROOM_OPENAI_UPSTREAM: upstream.url },
});
const sessions = [
  { session: claudeCodeSession(corpusItem, { questions }), agent: 'claude', id: 'bench-claude-code' },
  { session: codexSession(corpusItem, { questions }), agent: 'codex', id: 'bench-codex' },
  {
    session: codexSession(corpusItem, { questions, codeMode: true }),
    agent: 'codex',
    id: 'bench-codex-code-mode',
  },
];
const runs = [];
try {
  for (const { session, agent, id } of sessions) {
    const direct = upstream.serve(session);
    let at = performance.now();
    await replay(session, upstream.url);
    const directMs = performance.now() - at;
    const proxied = upstream.serve(session);
    at = performance.now();
    const { altered } = await replay(session, await openSession(proxy, id, agent));
    runs.push({ session, direct, proxied, altered, directMs, proxiedMs: performance.now() - at });
  }
} finally {
  await stopProxyChild(proxy);
  await upstream.close();
}

// The originals behind every marker the model received, to count the needles one retrieval away.
const wanted = new Set();
for (const { session, proxied } of runs) {
  const turns = proxied.filter((r) => !r.side);
  session.steps.forEach((_, i) => {
    for (const id of markerIds(session.outputIn(turns[i + 1].body, i) ?? '')) wanted.add(id);
  });
}
const originals = retrieveOriginals(proxy, wanted);
removeProxyDirs(proxy);

for (const run of runs) {
  console.log(report(run.session, run, originals));
  console.log(
    `time: direct replay ${(run.directMs / 1000).toFixed(1)} s, through headroom ${(run.proxiedMs / 1000).toFixed(1)} s`,
  );
  console.log();
}
console.log(`total time ${((performance.now() - started) / 1000).toFixed(1)} s (node ${process.version})`);
