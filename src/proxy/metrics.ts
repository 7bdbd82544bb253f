// `/metrics` in Prometheus's text format, from the proxy itself: counters and histograms over every request
// this process recorded since it started (each stats row as it is written), in a registry of its own so two
// proxies in one process never share figures.

import { Counter, Histogram, Registry } from 'prom-client';
import type { RequestRow } from '../store/types.js';

const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const COMPRESSION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** `2xx`, `4xx`, `5xx`, or `none` for a request that never got a status. */
const statusClass = (status: number) => (status > 0 ? `${Math.floor(status / 100)}xx` : 'none');

export class ProxyMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'provider' | 'status'>;
  private readonly errors: Counter<'reason'>;
  private readonly tokens: Counter<'kind'>;
  private readonly retrievals: Counter;
  private readonly memoryCalls: Counter;
  private readonly retrievedBytes: Counter;
  private readonly sideCalls: Counter<'name'>;
  private readonly latency: Histogram<'provider'>;
  private readonly compression: Histogram;

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'headroom_requests_total',
      help: 'Requests the proxy served, by provider and status class',
      labelNames: ['provider', 'status'],
      registers,
    });
    this.errors = new Counter({
      name: 'headroom_errors_total',
      help: 'Requests that failed on the proxy side, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.tokens = new Counter({
      name: 'headroom_tokens_total',
      help: 'Tokens: input before and after compression, output, and cache reads and writes the upstream reported',
      labelNames: ['kind'],
      registers,
    });
    this.retrievals = new Counter({
      name: 'headroom_retrievals_total',
      help: 'headroom_retrieve calls the proxy answered',
      registers,
    });
    this.retrievedBytes = new Counter({
      name: 'headroom_retrieved_bytes_total',
      help: 'Bytes of originals returned to headroom_retrieve calls',
      registers,
    });
    this.memoryCalls = new Counter({
      name: 'headroom_memory_calls_total',
      help: 'Memory tool calls (memory_save, memory_search…) the proxy answered',
      registers,
    });
    this.sideCalls = new Counter({
      name: 'headroom_side_calls_total',
      help: 'Agent side calls recognised, by name',
      labelNames: ['name'],
      registers,
    });
    this.latency = new Histogram({
      name: 'headroom_request_duration_seconds',
      help: 'Time from a request arriving to its answer ending',
      labelNames: ['provider'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.compression = new Histogram({
      name: 'headroom_compression_duration_seconds',
      help: 'Time spent compressing one request',
      buckets: COMPRESSION_BUCKETS,
      registers,
    });
  }

  /** Count one written stats row. */
  observe(row: RequestRow): void {
    this.requests.inc({ provider: row.provider, status: statusClass(row.status) });
    // A refusal's reason names what was refused (a host, a target): one label for all keeps the series few.
    if (row.error) this.errors.inc({ reason: row.error.startsWith('refused: ') ? 'refused' : row.error });
    const add = (kind: string, value: number | null) => {
      if (value) this.tokens.inc({ kind }, value);
    };
    add('input_before', row.tokensBefore);
    add('input_after', row.tokensAfter);
    add('output', row.outputTokens);
    add('cache_read', row.cacheReadTokens);
    add('cache_write', row.cacheWriteTokens);
    if (row.retrievals) this.retrievals.inc(row.retrievals);
    if (row.retrievedBytes) this.retrievedBytes.inc(row.retrievedBytes);
    if (row.memoryCalls) this.memoryCalls.inc(row.memoryCalls);
    if (row.sideCall) this.sideCalls.inc({ name: row.sideCall });
    if (row.latencyMs !== null) this.latency.observe({ provider: row.provider }, row.latencyMs / 1000);
    if (row.compressMs !== null) this.compression.observe(row.compressMs / 1000);
  }

  /** The text a Prometheus scrape reads, and its content type. */
  async scrape(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
