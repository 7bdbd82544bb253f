// What every originals backend does the same way: `put` by way of `putMany`, and a problem said once.

import { originalId } from '../compress/marker.js';
import type { OriginalStore } from './types.js';

/** The text kept under its content id, which is returned. */
export async function putText(store: Pick<OriginalStore, 'putMany'>, text: string): Promise<string> {
  const id = originalId(text);
  await store.putMany([{ id, text }]);
  return id;
}

/** Warnings said once each, until `forget()`: a store's problem comes back with every call while it lasts. */
export class WarnOnce {
  private readonly said = new Set<string>();

  constructor(private readonly onWarning: (message: string) => void) {}

  warn(message: string): void {
    if (this.said.has(message)) return;
    this.said.add(message);
    this.onWarning(message);
  }

  forget(): void {
    this.said.clear();
  }
}
