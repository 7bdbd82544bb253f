// Context windows of the models agents use, in tokens. Data only: rows are matched in order against the
// model id (case-insensitive, anchored at the start), so more specific patterns come first.

export interface ModelWindow {
  match: string;
  tokens: number;
}

export const MODEL_WINDOWS: { asOf: string; models: readonly ModelWindow[]; fallback: number } = {
  asOf: '2026-12-01',
  models: [
    { match: 'claude-', tokens: 200_000 },
    { match: 'gpt-5', tokens: 400_000 },
    { match: 'gpt-4\\.1', tokens: 1_047_576 },
    { match: 'gpt-4o', tokens: 128_000 },
    { match: 'o[34]', tokens: 200_000 },
    { match: 'codex-', tokens: 400_000 },
    { match: 'gemini-', tokens: 1_048_576 },
  ],
  // A model not listed is taken to have the smallest window agents commonly use.
  fallback: 128_000,
};

const compiled = MODEL_WINDOWS.models.map((row) => ({ pattern: new RegExp(`^${row.match}`, 'i'), row }));

/** The context window of `model` in tokens. */
export function contextWindow(model: string | undefined): number {
  if (!model) return MODEL_WINDOWS.fallback;
  return compiled.find(({ pattern }) => pattern.test(model))?.row.tokens ?? MODEL_WINDOWS.fallback;
}
