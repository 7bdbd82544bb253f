// The agents' cut notices, on outputs cut as the pinned agents cut them: the part before, the notice as
// written and the part after come apart exactly.

import { describe, expect, it } from 'vitest';
import { claudeCodeBash, codexOutput } from '../../test/helpers/agent-cuts.js';
import { realOutput } from '../../test/helpers/real-outputs.js';
import { agentCut } from './agent-cuts.js';

const output = realOutput('json-npm-query-root-deps').text;

describe('agentCut', () => {
  it('splits a Bash output Claude Code cut into its first 30,000 characters and its notice', () => {
    const cut = agentCut(claudeCodeBash(output));
    expect(cut?.head).toBe(output.slice(0, 30_000));
    expect(cut?.notice).toMatch(/^\.\.\. \[\d+ lines truncated\] \.\.\.$/);
    expect(cut?.tail).toBeUndefined();
  });

  it('splits an output Codex cut into its two ends around its notice', () => {
    const text = codexOutput(output);
    const cut = agentCut(text);
    expect(cut?.notice).toMatch(/^…\d+ tokens truncated…$/);
    expect(output.startsWith(cut?.head ?? '-')).toBe(true);
    expect(output.endsWith(cut?.tail ?? '-')).toBe(true);
    expect(`${cut?.head}${cut?.notice}${cut?.tail}`).toBe(text);
  });

  it('finds no cut in an output that was not cut, or that only quotes a notice', () => {
    expect(agentCut(output)).toBeUndefined();
    expect(agentCut(`... [12 lines truncated] ...\n${output}`)).toBeUndefined();
  });
});
