// What the stats TUI is showing and how keys change it, as a pure reducer: selection is kept by session
// and turn id, so live rows arriving above it do not move the cursor to another row.

export interface StatsViewState {
  view: 'sessions' | 'turns';
  /** The highlighted session; undefined follows the most recently active one. */
  session?: string | null;
  /** The highlighted turn in the turns view; undefined follows the newest. */
  turn?: number;
  showTransforms: boolean;
  /** Applied filter text (matches agent, project and model). */
  filter: string;
  /** Text being typed after `/`; undefined when not editing. */
  draft?: string;
}

export const initialViewState: StatsViewState = { view: 'sessions', showTransforms: false, filter: '' };

/** The subset of Ink's key flags the reducer needs. */
export interface KeyPress {
  input: string;
  upArrow?: boolean;
  downArrow?: boolean;
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
}

/** The ids currently on screen, in display order. */
export interface VisibleIds {
  sessions: readonly (string | null)[];
  turns: readonly number[];
}

export type KeyOutcome = { state: StatsViewState; quit?: boolean };

function move<T>(ids: readonly T[], current: T | undefined, step: number): T | undefined {
  if (ids.length === 0) return current;
  const index = current === undefined ? 0 : Math.max(0, ids.indexOf(current));
  return ids[Math.min(ids.length - 1, Math.max(0, index + step))];
}

function editFilter(state: StatsViewState, draft: string, key: KeyPress): KeyOutcome {
  if (key.escape) return { state: { ...state, draft: undefined } };
  if (key.return) return { state: { ...state, filter: draft.trim(), draft: undefined, session: undefined } };
  if (key.backspace || key.delete) return { state: { ...state, draft: draft.slice(0, -1) } };
  if (key.ctrl || key.upArrow || key.downArrow) return { state };
  return { state: { ...state, draft: typed(draft, key.input) } };
}

/**
 * The draft after a chunk of typed input. Keys that arrive together come as one chunk, so several Backspaces
 * (DEL or BS) each take a character back, and other control characters are left out.
 */
function typed(draft: string, input: string): string {
  let out = draft;
  for (const char of input) {
    if (char === '\x7f' || char === '\b') out = out.slice(0, -1);
    else if (char >= ' ') out += char;
  }
  return out;
}

/** The state after one key press, and whether the user asked to quit. */
export function onKey(state: StatsViewState, key: KeyPress, ids: VisibleIds, page = 10): KeyOutcome {
  if (state.draft !== undefined) return editFilter(state, state.draft, key);
  if (key.input === 'q' || (key.ctrl && key.input === 'c')) return { state, quit: true };
  const step = key.upArrow || key.input === 'k' ? -1 : key.downArrow || key.input === 'j' ? 1 : 0;
  const pageStep = key.pageUp ? -page : key.pageDown ? page : 0;
  if (step !== 0 || pageStep !== 0) {
    const by = step || pageStep;
    return state.view === 'sessions'
      ? { state: { ...state, session: move(ids.sessions, state.session, by) } }
      : { state: { ...state, turn: move(ids.turns, state.turn, by) } };
  }
  if (key.return && state.view === 'sessions' && ids.sessions.length > 0) {
    const session = state.session === undefined ? ids.sessions[0] : state.session;
    return { state: { ...state, view: 'turns', session, turn: undefined } };
  }
  if ((key.escape || key.backspace || key.delete) && state.view === 'turns') {
    return { state: { ...state, view: 'sessions', turn: undefined } };
  }
  if (key.escape && state.filter !== '') return { state: { ...state, filter: '', session: undefined } };
  if (key.input === 't') return { state: { ...state, showTransforms: !state.showTransforms } };
  if (key.input === '/') return { state: { ...state, draft: state.filter } };
  return { state };
}
