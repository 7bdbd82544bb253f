// The proxy's memory of verbosity steering: the level each conversation went out with last, so every later
// turn carries the same note (byte-identical) until a cache-cold point lets a new level in, and the holdout
// arm it was put in. What this process steered comes first; the conversation states the store keeps (saved
// with each answer, see ConversationHistory) carry both across a restart and to other replicas.

import type { VerbosityLevel } from '../config.js';
import { sessionOf } from '../history/rewrite-points.js';
import type { Arm } from '../output/holdout.js';
import type { OutputDecision, OutputJob, Steered } from '../output/steer.js';
import type { ConversationState } from '../store/types.js';
import type { ConversationHistory } from './history.js';
import type { SettingsSnapshot } from './runtime-settings.js';

export class SteeringMemory {
  /** By session ('' for conversations without one), then by conversation. */
  private readonly levels = new Map<string, Record<string, Steered>>();
  /**
   * A conversation went out with a note and its cache may still be warm: with every rewrite switched off,
   * its requests still pass the output step, which keeps the note until the cache is cold.
   */
  active(history: ConversationHistory | undefined): boolean {
    if (!history) return false;
    return history.warm(history.now()).some((state) => state.level !== undefined && state.level !== 'off');
  }

  /** What a request's output step is given, or undefined when its snapshot steers nothing. */
  job(
    snapshot: SettingsSnapshot,
    session: string | undefined,
    history: ConversationHistory | undefined,
  ): OutputJob | undefined {
    const { config } = snapshot;
    const now = history?.now() ?? Date.now();
    const steered = { ...storedSteering(history?.known() ?? [], session), ...this.levels.get(session ?? '') };
    // A conversation steered before still needs its level kept (or dropped at a cold point) when steering is off.
    if (config.verbosity === 'off' && !config.effortRouting && Object.keys(steered).length === 0)
      return undefined;
    return {
      verbosity: config.verbosity,
      force: config.verbosityForce,
      holdout: config.outputHoldout,
      effort: config.effortRouting ? { to: config.effortLevel, floor: config.thinkingFloor } : undefined,
      session,
      now,
      conversations: history?.warm(now) ?? [],
      steered,
    };
  }

  /** Keep the level a request went out with, before it leaves: the conversation's next turn must match it. */
  steered(decision: OutputDecision): void {
    if (!decision.agentTurn || decision.arm === undefined) return;
    const session = sessionOf(decision.conversation) ?? '';
    const levels = this.levels.get(session) ?? {};
    levels[decision.conversation] = steeringOf(decision);
    this.levels.set(session, levels);
  }
}

/** What the store keeps of a request's steering: its arm, and its level unless it was held out. */
export function steeringOf(decision: Pick<OutputDecision, 'level' | 'arm'>): Steered {
  return decision.arm === 'holdout' ? { arm: 'holdout' } : { level: decision.level, arm: decision.arm };
}

/** The steering the store's states of `session`'s conversations recorded. */
function storedSteering(
  states: Iterable<ConversationState>,
  session: string | undefined,
): Record<string, Steered> {
  const steered: Record<string, Steered> = {};
  for (const state of states) {
    if (state.arm === undefined || (sessionOf(state.id) ?? '') !== (session ?? '')) continue;
    steered[state.id] = {
      arm: state.arm as Arm,
      ...(state.level ? { level: state.level as VerbosityLevel } : {}),
    };
  }
  return steered;
}
