/**
 * The playback state machine, pure: which pass is on screen, whether it advances by itself and
 * how fast, and how many passes have arrived. The run never waits for playback: passes are
 * buffered as the worker sends them and shown at the chosen pace ("slow motion"), or at once
 * (following the run live). src/web/player.ts wires this to the controls and the view.
 */

export const MIN_PACE = 2;
export const MAX_PACE = 20;
export const DEFAULT_PACE = 5;

export interface PlayerState {
  /** Passes received so far (the buffer). */
  readonly buffered: number;
  /** 0-based index of the pass on screen; -1 before the first arrives. */
  readonly position: number;
  /** Advancing by itself, one pass every 1/pace seconds. */
  readonly playing: boolean;
  /** Jumping to each pass as it arrives (a live run without slow motion). */
  readonly following: boolean;
  /** Passes per second while playing. */
  readonly pace: number;
  /** The run has ended: no more passes will arrive. */
  readonly complete: boolean;
  /** Time played since the last advance, in ms. */
  readonly carryMs: number;
}

export function clampPace(pace: number): number {
  return Number.isFinite(pace) ? Math.min(MAX_PACE, Math.max(MIN_PACE, pace)) : DEFAULT_PACE;
}

const lastPass = (state: PlayerState): number => state.buffered - 1;

/** A new run: in slow motion it plays from its first pass at `pace`, otherwise it follows the run. */
export function startRun(slowMotion: boolean, pace: number): PlayerState {
  return { buffered: 0, position: -1, playing: slowMotion, following: !slowMotion, pace: clampPace(pace), complete: false, carryMs: 0 };
}

/** `count` passes are now buffered. */
export function received(state: PlayerState, count: number): PlayerState {
  if (count < state.buffered) throw new RangeError(`the buffer cannot shrink: ${count} passes after ${state.buffered}`);
  const buffered = count;
  if (state.following) return { ...state, buffered, position: buffered - 1 };
  // Playing from nothing: the first pass shows as soon as it exists.
  if (state.playing && state.position < 0 && buffered > 0) return { ...state, buffered, position: 0, carryMs: 0 };
  return { ...state, buffered };
}

/** The run ended (or a recorded one was loaded whole). Playback at the end stops there. */
export function completed(state: PlayerState): PlayerState {
  const atEnd = state.position >= lastPass(state);
  return { ...state, complete: true, following: false, playing: state.playing && !atEnd, carryMs: atEnd ? 0 : state.carryMs };
}

/**
 * `elapsedMs` of play: advances one pass per 1/pace seconds, never past the buffer. Waiting at
 * the buffer's end for a pass still to come keeps at most one interval, so it shows as soon as
 * it arrives and no faster; at the end of a complete run playback stops.
 */
export function tick(state: PlayerState, elapsedMs: number): PlayerState {
  if (!state.playing || state.position < 0) return state;
  const interval = 1000 / state.pace;
  let carryMs = state.carryMs + Math.max(0, elapsedMs);
  const passes = Math.floor(carryMs / interval);
  const position = Math.min(state.position + passes, lastPass(state));
  carryMs -= (position - state.position) * interval;
  if (position < lastPass(state)) return { ...state, position, carryMs };
  if (state.complete) return { ...state, position, playing: false, carryMs: 0 };
  return { ...state, position, carryMs: Math.min(carryMs, interval) };
}

/** Play: from where it stands, or from the first pass when a complete run is at its end. */
export function play(state: PlayerState): PlayerState {
  const restart = state.complete && state.position >= lastPass(state);
  const position = restart ? Math.min(0, lastPass(state)) : state.buffered > 0 ? Math.max(0, state.position) : state.position;
  return { ...state, position, playing: true, following: false, carryMs: 0 };
}

export function pause(state: PlayerState): PlayerState {
  return { ...state, playing: false, following: false, carryMs: 0 };
}

/** Shows pass `position` (clamped to the buffer) and pauses: the scrubber. */
export function seek(state: PlayerState, position: number): PlayerState {
  if (state.buffered === 0 || !Number.isFinite(position)) return pause(state);
  return { ...pause(state), position: Math.min(lastPass(state), Math.max(0, Math.round(position))) };
}

/** One pass back (-1) or forward (+1), paused. */
export function step(state: PlayerState, delta: number): PlayerState {
  return seek(state, state.position + delta);
}

export function setPace(state: PlayerState, pace: number): PlayerState {
  return { ...state, pace: clampPace(pace), carryMs: 0 };
}
