// Tool outputs for the soak's requests, made from a seed: service logs and JSON listings large enough for
// the proxy to compress (a pool of them, so a conversation resent with the same output meets the engine's
// memo as an agent's would), and small outputs that pass whole.

import { generator, pick } from './faults.js';

const SERVICES = ['api', 'worker', 'billing', 'auth', 'search'];
const ROUTES = ['/api/items', '/api/orders', '/api/users', '/healthz', '/api/cart', '/api/search'];

function serviceLog(random, lines) {
  const out = [];
  let ms = Date.UTC(2026, 10, 25, 9, 0, 0);
  for (let i = 0; i < lines; i++) {
    ms += Math.floor(random() * 900);
    const at = new Date(ms).toISOString();
    const service = pick(random, SERVICES);
    const roll = random();
    if (roll < 0.004) {
      out.push(`${at} ERROR [${service}] unhandled rejection: connect ECONNREFUSED 10.0.3.${i % 250}:5432`);
      out.push('    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)');
      out.push(`    at Pool.connect (/srv/${service}/node_modules/pg-pool/index.js:45:11)`);
    } else if (roll < 0.02) {
      out.push(`${at} WARN  [${service}] slow query took ${800 + Math.floor(random() * 4000)} ms`);
    } else {
      const route = pick(random, ROUTES);
      out.push(
        `${at} INFO  [${service}] ${pick(random, ['GET', 'GET', 'POST'])} ${route}/${Math.floor(random() * 5000)} 200 ${Math.floor(random() * 90)}ms`,
      );
    }
  }
  return out.join('\n');
}

function listing(random, items) {
  return JSON.stringify(
    Array.from({ length: items }, (_, i) => ({
      id: 10_000 + i,
      name: `package-${Math.floor(random() * 1e6).toString(36)}`,
      version: `${Math.floor(random() * 9)}.${Math.floor(random() * 20)}.${Math.floor(random() * 30)}`,
      status: random() < 0.01 ? 'failed' : 'ok',
      size: Math.floor(random() * 1e6),
    })),
    null,
    2,
  );
}

/** `count` large outputs (logs and JSON, 30-120 KB each) and as many small ones, from `seed`. */
export function toolOutputs(seed, count = 12) {
  const random = generator(seed);
  const large = Array.from({ length: count }, (_, i) =>
    i % 3 === 2
      ? { command: 'npm ls --json', text: listing(random, 200 + Math.floor(random() * 500)) }
      : { command: `journalctl -u app-${i}`, text: serviceLog(random, 400 + Math.floor(random() * 1200)) },
  );
  const small = Array.from({ length: count }, () => ({
    command: 'git status --short',
    text: Array.from(
      { length: 1 + Math.floor(random() * 6) },
      () => ` M src/${pick(random, SERVICES)}.ts`,
    ).join('\n'),
  }));
  return { large, small };
}
