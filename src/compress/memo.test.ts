// The engine's memo keeps the decisions of a conversation resent every turn, even while other
// conversations fill it and past the time budget.

import { expect, it } from 'vitest';
import { anthropicConversation, turnsFor } from '../../test/helpers/conversation.js';
import { compress, compressText } from '../../test/helpers/engine.js';
import { realOutput } from '../../test/helpers/real-outputs.js';

it('keeps the earlier bytes of a conversation resent every turn while another session fills the memo, even past the time budget', () => {
  const conversation = anthropicConversation(turnsFor([realOutput('log-express-debug')]));
  const first = compress(conversation);
  expect(first.stats.blocks[0]?.transform).toBe('logs');
  // Another session's outputs, each distinct, go through the engine between this agent's turns.
  for (let i = 1; i <= 600; i++) {
    compressText(`exit status ${i} from the other session`);
    if (i % 100 === 0 && i <= 500) compress(conversation);
  }
  // This turn the budget is spent before the block: only a remembered decision can keep its bytes.
  const later = compress(conversation, { budgetMs: -1 });
  expect(later.stats.blocks[0]?.skipped).toBeUndefined();
  expect(JSON.stringify(later.messages)).toBe(JSON.stringify(first.messages));
});
