// New request rows as they are recorded: pushed by every running proxy's `/stats/stream` (found through
// the runtime files), with a ~1 s poll of the stats database underneath so rows from any writer show up.

import { request } from 'undici';
import { SseReader } from '../sse.js';
import { matchesFilter, type StatsFilter } from '../store/filter.js';
import { toRequestRow } from '../store/rows.js';
import type { RequestRow, StatsStore } from '../store/types.js';
import { listRunningProxies, type RuntimeInfo } from './runtime-files.js';

export interface LiveFeedOptions {
  /** Where running proxies announce themselves. */
  cacheDir: string;
  /** The stats store to poll (read-only is enough). */
  store: StatsStore;
  /** Rows outside this filter are not reported. */
  filter?: StatsFilter;
  /** Sent as `x-headroom-key` to proxies that require it. */
  apiKey?: string;
  /** Highest row id already shown; polling starts after it. */
  afterId?: number;
  pollMs?: number;
  discoverMs?: number;
}

export interface LiveStatus {
  /** Proxies whose live stream is connected. */
  proxies: number;
}

export interface LiveListener {
  rows(rows: RequestRow[]): void;
  status?(status: LiveStatus): void;
}

/** Follows running proxies and the stats database, reporting each new row once. */
export class LiveFeed {
  private readonly seen = new Set<number>();
  private polledId: number;
  private readonly streams = new Map<number, AbortController>();
  private timers: NodeJS.Timeout[] = [];
  private listener?: LiveListener;
  private polling = false;

  constructor(private readonly options: LiveFeedOptions) {
    this.polledId = options.afterId ?? 0;
  }

  start(listener: LiveListener): void {
    this.listener = listener;
    this.discover();
    void this.poll();
    this.timers = [
      setInterval(() => void this.poll(), this.options.pollMs ?? 1000),
      setInterval(() => this.discover(), this.options.discoverMs ?? 2000),
    ];
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    for (const controller of this.streams.values()) controller.abort();
    this.streams.clear();
    this.listener = undefined;
  }

  private emit(rows: RequestRow[]): void {
    const fresh = rows.filter((row) => {
      if (row.id <= (this.options.afterId ?? 0) || this.seen.has(row.id)) return false;
      this.seen.add(row.id);
      return matchesFilter(row, this.options.filter ?? {});
    });
    if (fresh.length > 0) this.listener?.rows(fresh);
  }

  private async poll(): Promise<void> {
    // A slow read is not stacked under the next tick's.
    if (this.polling) return;
    this.polling = true;
    try {
      const rows = await this.options.store.rows(this.options.filter, { afterId: this.polledId });
      const last = rows.at(-1);
      if (last) this.polledId = last.id;
      this.emit(rows);
    } catch {
      // A locked or half-written database is read again on the next tick.
    } finally {
      this.polling = false;
    }
  }

  private discover(): void {
    const running = listRunningProxies(this.options.cacheDir);
    for (const proxy of running) if (!this.streams.has(proxy.pid)) void this.follow(proxy);
  }

  private setStreams(): void {
    this.listener?.status?.({ proxies: this.streams.size });
  }

  private async follow(proxy: RuntimeInfo): Promise<void> {
    const controller = new AbortController();
    this.streams.set(proxy.pid, controller);
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (this.options.apiKey) headers['x-headroom-key'] = this.options.apiKey;
      const { statusCode, body } = await request(new URL('/stats/stream', proxy.url), {
        headers,
        signal: controller.signal,
        headersTimeout: 5000,
        bodyTimeout: 0,
      });
      if (statusCode !== 200) {
        body.resume();
        return;
      }
      this.setStreams();
      const reader = new SseReader((_event, data) => {
        try {
          const row = toRequestRow(JSON.parse(data));
          if (row) this.emit([row]);
        } catch {
          // Not a row (e.g. a greeting event): nothing to show.
        }
      });
      for await (const chunk of body) reader.push(chunk as Buffer);
    } catch {
      // The proxy stopped or the stream broke: polling still shows its rows, discovery reconnects.
    } finally {
      if (this.streams.get(proxy.pid) === controller) {
        this.streams.delete(proxy.pid);
        this.setStreams();
      }
    }
  }
}
