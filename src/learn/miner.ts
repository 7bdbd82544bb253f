// Mining one session's calls, as they stream by: each failure is held until the next successful call of
// the same kind that fixes it (a changed command, a corrected path, the same command after a fix), and runs
// of the same failing call, or of the same command re-run with larger limits, are noticed as loops. Only a
// few calls are held at a time, so a session of any length mines in bounded memory.

import { estimateTokens } from '../compress/tokens.js';
import { type Signature, signatureOf } from './signatures.js';
import type { ToolCall } from './types.js';

/** A failure and the call that got past it; `fixes` are the successful commands run in between. */
export interface RecoveryFinding {
  kind: 'recovery';
  failure: ToolCall;
  signature: Signature;
  recovery: ToolCall;
  fixes: string[];
  /** Failed attempts at the same call before the recovery. */
  attempts: number;
  wastedTokens: number;
}

/** A failure nothing later in the session got past. */
export interface UnrecoveredFinding {
  kind: 'unrecovered';
  failure: ToolCall;
  signature: Signature;
  attempts: number;
  wastedTokens: number;
}

/** The same failing call made again and again, or the same command re-run with ever larger limits. */
export interface LoopFinding {
  kind: 'loop' | 'refetch';
  call: ToolCall;
  signature: Signature | undefined;
  repeats: number;
  wastedTokens: number;
}

export type Finding = RecoveryFinding | UnrecoveredFinding | LoopFinding;

/** Calls of the same kind after a failure with no recovery among them: past this, it stays unrecovered. */
const RECOVERY_WINDOW = 8;
/** Failures held at once; the oldest is given up on past this. */
const MAX_PENDING = 16;
/** Successful commands remembered between a failure and its recovery. */
const MAX_FIXES = 3;
/** A failing call made this many times in a row is a loop. */
export const LOOP_REPEATS = 3;

const tokensOf = (call: ToolCall) => estimateTokens(call.inputChars + call.outputChars);

/** A command's words from its program on: `FOO=1 npm test` runs `npm`. */
const words = (command: string) => {
  const all = command.split(/\s+/).filter(Boolean);
  const program = all.findIndex((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
  return program === -1 ? [] : all.slice(program);
};

/** A command with its numbers blanked out: re-runs that differ only in a limit read the same. */
const shapeOf = (call: ToolCall) =>
  `${call.tool}\u0000${call.action}\u0000${call.target.replace(/\d+/g, '#')}`;

const sameCall = (a: ToolCall, b: ToolCall) =>
  a.tool === b.tool && a.target === b.target && a.action === b.action;

/** Every limit at least as large and one larger: the call asked for more of the same. */
function askedForMore(before: ToolCall, after: ToolCall): boolean {
  if (before.limits.length === 0 || before.limits.length !== after.limits.length) return false;
  const grew = after.limits.some((limit, i) => limit > (before.limits[i] ?? 0));
  return grew && after.limits.every((limit, i) => limit >= (before.limits[i] ?? 0));
}

const baseName = (path: string) => path.split('/').filter(Boolean).at(-1) ?? '';

/** Whether `success` is the same intent as `failure` done a way that worked. */
function recovers(failure: ToolCall, signature: Signature, success: ToolCall): boolean {
  if (failure.action !== success.action) return false;
  if (failure.action === 'read' || failure.action === 'edit') {
    return success.target !== failure.target && baseName(success.target) === baseName(failure.target);
  }
  if (failure.action !== 'command' || success.target === failure.target) return false;
  const [failedBinary, ...failedArgs] = words(failure.target);
  const [binary, ...args] = words(success.target);
  if (!failedBinary || !binary) return false;
  if (signature.reason === 'command-not-found') {
    // Another program for the same job: it takes the same arguments (`pnpm test` → `npm test`), or it is the
    // same program under another name (`python` → `python3`).
    const shared = failedArgs.filter((arg) => args.includes(arg)).length;
    return binary !== failedBinary && (shared > 0 || binary.startsWith(failedBinary));
  }
  // The same program run differently for the same job (`npm test` → `npm run test:unit`, `pytest x` →
  // `pytest -p no:cacheprovider x`); `npm install` after a failed `npm test` is a fix, not a recovery.
  const related = (a: string, b: string) => a.length > 1 && b.length > 1 && (a.includes(b) || b.includes(a));
  return binary === failedBinary && failedArgs.some((arg) => args.some((other) => related(arg, other)));
}

interface Pending {
  failure: ToolCall;
  signature: Signature;
  attempts: number;
  wastedTokens: number;
  /** Later calls of the same kind seen since. */
  age: number;
  fixes: string[];
}

/** The findings of one session, fed its calls in order. */
export class SessionMiner {
  private readonly pending: Pending[] = [];
  private readonly found: Finding[] = [];
  private previous: ToolCall | undefined;
  private failingRun = 0;
  private failingRunTokens = 0;
  private refetchRun = 0;
  private refetchRunTokens = 0;
  private refetchFirst: ToolCall | undefined;

  add(call: ToolCall): void {
    this.followLoops(call);
    if (call.ok) this.recover(call);
    else this.hold(call);
    this.previous = call;
  }

  /** Everything found, once the session's last call is in. */
  finish(): Finding[] {
    this.endFailingRun();
    this.endRefetchRun();
    for (const held of this.pending.splice(0)) this.giveUp(held);
    return this.found;
  }

  private followLoops(call: ToolCall): void {
    const previous = this.previous;
    if (previous && !call.ok && !previous.ok && sameCall(previous, call)) {
      this.failingRun = this.failingRun === 0 ? 2 : this.failingRun + 1;
      this.failingRunTokens += tokensOf(call) + (this.failingRun === 2 ? tokensOf(previous) : 0);
    } else {
      this.endFailingRun();
    }
    if (previous && shapeOf(previous) === shapeOf(call) && askedForMore(previous, call)) {
      this.refetchFirst ??= previous;
      this.refetchRun++;
      this.refetchRunTokens += tokensOf(previous);
    } else {
      this.endRefetchRun();
    }
  }

  private endFailingRun(): void {
    if (this.failingRun >= LOOP_REPEATS && this.previous) {
      this.found.push({
        kind: 'loop',
        call: this.previous,
        signature: signatureOf(this.previous),
        repeats: this.failingRun,
        wastedTokens: this.failingRunTokens,
      });
    }
    this.failingRun = 0;
    this.failingRunTokens = 0;
  }

  private endRefetchRun(): void {
    if (this.refetchRun > 0 && this.refetchFirst) {
      this.found.push({
        kind: 'refetch',
        call: this.refetchFirst,
        signature: undefined,
        repeats: this.refetchRun,
        wastedTokens: this.refetchRunTokens,
      });
    }
    this.refetchRun = 0;
    this.refetchRunTokens = 0;
    this.refetchFirst = undefined;
  }

  private hold(call: ToolCall): void {
    this.age(call);
    const same = this.pending.find((held) => sameCall(held.failure, call));
    if (same) {
      same.attempts++;
      same.wastedTokens += tokensOf(call);
      same.age = 0;
      return;
    }
    this.pending.push({
      failure: call,
      signature: signatureOf(call),
      attempts: 1,
      wastedTokens: tokensOf(call),
      age: 0,
      fixes: [],
    });
    if (this.pending.length > MAX_PENDING) this.giveUp(this.pending.shift() as Pending);
  }

  private recover(call: ToolCall): void {
    for (let i = 0; i < this.pending.length; i++) {
      const held = this.pending[i] as Pending;
      const fixedByRerun = sameCall(held.failure, call);
      if (fixedByRerun || recovers(held.failure, held.signature, call)) {
        this.pending.splice(i, 1);
        // The same call working on its own again, with nothing done in between, was a flake: no lesson.
        if (fixedByRerun && held.fixes.length === 0) return;
        this.found.push({
          kind: 'recovery',
          failure: held.failure,
          signature: held.signature,
          recovery: call,
          fixes: fixedByRerun ? held.fixes : [],
          attempts: held.attempts,
          wastedTokens: held.wastedTokens,
        });
        return;
      }
    }
    this.age(call);
    if (call.action === 'command') {
      for (const held of this.pending) {
        if (held.failure.action === 'command') held.fixes = [...held.fixes, call.target].slice(-MAX_FIXES);
      }
    }
  }

  /** One more call of its kind went by for each failure held: those past the window are given up on. */
  private age(call: ToolCall): void {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const held = this.pending[i] as Pending;
      if (held.failure.action !== call.action) continue;
      held.age++;
      if (held.age > RECOVERY_WINDOW) {
        this.pending.splice(i, 1);
        this.giveUp(held);
      }
    }
  }

  private giveUp(held: Pending): void {
    this.found.push({
      kind: 'unrecovered',
      failure: held.failure,
      signature: held.signature,
      attempts: held.attempts,
      wastedTokens: held.wastedTokens,
    });
  }
}
