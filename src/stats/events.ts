// Rows as they are written, for whoever follows a proxy live (`/stats/stream`, a library user). The proxy
// emits each row once its store has written it, so every row announced carries its id.

import type { RequestRow } from '../store/types.js';

export type RowListener = (row: RequestRow) => void;

/** Subscribe to written rows; one per proxy, so proxies sharing a process do not hear each other. */
export class StatsEvents {
  private readonly listeners = new Set<RowListener>();

  /** Call `listener` with every row emitted from now on; returns the unsubscribe function. */
  subscribe(listener: RowListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Tell every subscriber about a written row. */
  emit(row: RequestRow): void {
    for (const listener of this.listeners) listener(row);
  }
}
