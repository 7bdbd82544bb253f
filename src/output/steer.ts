// The output step of one request, where its body is rewritten: whether it is an agent's turn, the verbosity
// level its conversation is steered at (a change of level only at a cache-cold point, unless forced), its
// holdout arm, and on a mechanical continuation the effort it sets lowered. Plain data in and out.

import { estimateTokens as estimate } from '../compress/tokens.js';
import type { EffortLevel, VerbosityLevel } from '../config.js';
import type { EffortChange, TurnKind, WireFormat } from '../formats/types.js';
import type { WireObject } from '../formats/wire.js';
import { conversationId, rewritePoint } from '../history/rewrite-points.js';
import type { ConversationState } from '../store/types.js';
import { type Arm, armOf } from './holdout.js';
import { NOTE_MARKER, verbosityNote } from './verbosity.js';

/** What the output step of a request is given, from its settings snapshot and the proxy's memory. */
export interface OutputJob {
  verbosity: VerbosityLevel;
  /** Apply a change of level at once, even with a warm cache. */
  force: boolean;
  /** Share of conversations left unsteered. */
  holdout: number;
  /** Set while effort routing is on: what a continuation's effort is lowered to. */
  effort?: { to: EffortLevel; floor: number };
  session?: string;
  now: number;
  /** Conversations whose cache may still be warm. */
  conversations: readonly ConversationState[];
  /** How each conversation of the session went out last: its level and its arm, fixed once chosen. */
  steered: Readonly<Record<string, Steered>>;
}

/** How a conversation's agent turns go out: the level of its last one and the arm it was put in. */
export interface Steered {
  level?: VerbosityLevel;
  arm?: Arm;
}

/** What the output step decided for a request. */
export interface OutputDecision {
  conversation: string;
  lifetimeMs: number;
  turn: TurnKind;
  /** An agent's turn: a request that declares tools, not a token count or a side call. */
  agentTurn: boolean;
  /** The level the request went out with ('off': no note). */
  level: VerbosityLevel;
  /** Set on agent turns while steering or a holdout is on. */
  arm?: Arm;
  /** Effort fields lowered. */
  effort?: EffortChange[];
}

export interface OutputStep {
  /** The body to send, when the step changed it. */
  body?: WireObject;
  decision: OutputDecision;
}

/** The level `conversation` goes out with: the wanted one, or the one in effect until a cache-cold point. */
function levelFor(
  job: OutputJob,
  conversation: string,
  model: string | undefined,
  bodyBytes: number,
): VerbosityLevel {
  const previous = job.steered[conversation]?.level;
  if (previous === undefined || previous === job.verbosity || job.force) return job.verbosity;
  // History's rule: a changed prefix is free only where the provider's cache has nothing to lose.
  const point = rewritePoint({
    mode: 'cold',
    state: job.conversations.find((state) => state.id === conversation),
    now: job.now,
    model,
    contextTokens: estimate(bodyBytes),
  });
  return point && !point.warm ? job.verbosity : previous;
}

/**
 * Decide the output side of one request body of `format`: `agent` is the body as the agent wrote it (which
 * names its conversation), `body` the one about to go (compressed, with headroom_retrieve).
 */
export function decideOutput(
  format: WireFormat,
  agent: WireObject,
  body: WireObject,
  bodyBytes: number,
  request: { tokenCount: boolean; sideCall: boolean },
  job: OutputJob,
): OutputStep {
  const conversation = conversationId(format.conversationOpening(agent), job.session);
  const agentTurn = !request.tokenCount && !request.sideCall && format.declaresTools(agent);
  const decision: OutputDecision = {
    conversation,
    lifetimeMs: format.cacheLifetimeMs(agent),
    turn: format.turnKind(agent),
    agentTurn,
    level: 'off',
  };
  if (!agentTurn) return { decision };
  const model = typeof agent.model === 'string' ? agent.model : undefined;
  const before = job.steered[conversation];
  const steering = job.verbosity !== 'off' || (before?.level ?? 'off') !== 'off';
  // A conversation keeps its arm: a holdout share changed on a running proxy applies to new conversations.
  if (steering || job.effort) decision.arm = before?.arm ?? armOf(conversation, job.holdout);
  if (decision.arm === 'holdout') return { decision };
  let out = body;
  decision.level = levelFor(job, conversation, model, bodyBytes);
  const note = verbosityNote(decision.level);
  if (note) out = format.withSystemNote(out, note, NOTE_MARKER);
  if (job.effort && decision.turn === 'continuation') {
    const lowered = format.lowerEffort(out, job.effort.to, job.effort.floor);
    if (lowered) {
      out = lowered.body;
      decision.effort = lowered.changes;
    }
  }
  return { body: out === body ? undefined : out, decision };
}
