import { describe, expect, it } from "vitest";
import { clampPace, completed, DEFAULT_PACE, MAX_PACE, MIN_PACE, pause, play, received, seek, setPace, startRun, step, tick, type PlayerState } from "./player-state.ts";

/** A complete recorded run of `passes` passes, paused at its end (as a loaded trace opens). */
function recorded(passes: number, pace = 10): PlayerState {
  return completed(received(startRun(false, pace), passes));
}

describe("player state: a live run", () => {
  it("without slow motion follows every pass as it arrives, then stops at the last", () => {
    let state = startRun(false, 5);
    expect(state).toMatchObject({ position: -1, buffered: 0, following: true, playing: false });
    state = received(state, 1);
    expect(state.position).toBe(0);
    state = received(state, 4);
    expect(state.position).toBe(3);
    state = completed(state);
    expect(state).toMatchObject({ position: 3, following: false, playing: false, complete: true });
  });

  it("in slow motion buffers passes and shows them at the pace, not as they arrive", () => {
    let state = startRun(true, 4); // one pass per 250 ms
    state = received(state, 1);
    expect(state.position).toBe(0);
    // The whole run arrives at once (a fast WASM run): the screen still shows pass 0.
    state = completed(received(state, 6));
    expect(state).toMatchObject({ position: 0, buffered: 6, playing: true });
    state = tick(state, 249);
    expect(state.position).toBe(0);
    state = tick(state, 1);
    expect(state.position).toBe(1);
    // A slow frame (600 ms) advances by two passes and keeps the remainder.
    state = tick(state, 600);
    expect(state.position).toBe(3);
    expect(state.carryMs).toBeCloseTo(100, 9);
    state = tick(state, 150);
    expect(state.position).toBe(4);
    // Reaching the last pass of a complete run stops playback there.
    state = tick(state, 10_000);
    expect(state).toMatchObject({ position: 5, playing: false, carryMs: 0 });
  });

  it("waiting at the buffer's end for a pass still to come shows it as soon as it arrives, not in a burst", () => {
    let state = received(startRun(true, 10), 2); // 100 ms per pass
    state = tick(state, 100);
    expect(state.position).toBe(1);
    // 1 s with nothing new: the run is slower than the pace.
    state = tick(state, 1000);
    expect(state.position).toBe(1);
    expect(state.carryMs).toBe(100);
    state = received(state, 5);
    state = tick(state, 0);
    expect(state.position).toBe(2);
    state = tick(state, 50);
    expect(state.position).toBe(2);
  });

  it("pausing during a run stops following; play resumes at the pace from there", () => {
    let state = received(startRun(false, 2), 3);
    state = pause(state);
    state = received(state, 8);
    expect(state).toMatchObject({ position: 2, following: false, playing: false });
    state = tick(state, 5000);
    expect(state.position).toBe(2);
    state = play(state);
    state = tick(state, 500);
    expect(state.position).toBe(3);
  });
});

describe("player state: controls", () => {
  it("steps one pass back and forward, paused, never outside the run", () => {
    let state = play(recorded(4));
    expect(state.position).toBe(0);
    state = step(state, 1);
    expect(state).toMatchObject({ position: 1, playing: false });
    state = step(step(step(state, 1), 1), 1);
    expect(state.position).toBe(3);
    state = step(state, -1);
    expect(state.position).toBe(2);
    state = step(step(step(state, -1), -1), -1);
    expect(state.position).toBe(0);
  });

  it("seeks to a pass (the scrubber), clamped and rounded, and pauses", () => {
    let state = play(recorded(10));
    state = seek(state, 6);
    expect(state).toMatchObject({ position: 6, playing: false });
    expect(seek(state, 99).position).toBe(9);
    expect(seek(state, -3).position).toBe(0);
    expect(seek(state, 2.6).position).toBe(3);
    expect(seek(state, Number.NaN).position).toBe(6);
    expect(seek(startRun(false, 5), 3).position).toBe(-1);
  });

  it("play at the end of a complete run starts again from the first pass", () => {
    const state = play(recorded(5));
    expect(state).toMatchObject({ position: 0, playing: true });
    expect(tick(state, 100).position).toBe(1);
    // Elsewhere, play continues from where it stands.
    expect(play(seek(recorded(5), 2)).position).toBe(2);
  });

  it("plays at the chosen pace, kept within 2-20 passes per second", () => {
    let state = setPace(play(recorded(100)), 20);
    state = tick(state, 1000);
    expect(state.position).toBe(20);
    state = setPace(state, 2);
    state = tick(state, 1000);
    expect(state.position).toBe(22);
    expect(clampPace(50)).toBe(MAX_PACE);
    expect(clampPace(0.5)).toBe(MIN_PACE);
    expect(clampPace(Number.NaN)).toBe(DEFAULT_PACE);
    expect(setPace(state, 100).pace).toBe(MAX_PACE);
  });

  it("a paused player does not move with time; the buffer never shrinks", () => {
    const state = seek(recorded(5), 1);
    expect(tick(state, 10_000)).toBe(state);
    expect(() => received(state, 3)).toThrow(RangeError);
  });

  it("play before any pass waits, then shows the first one on arrival", () => {
    let state = play(startRun(false, 5));
    expect(state).toMatchObject({ position: -1, playing: true, following: false });
    state = received(state, 3);
    expect(state.position).toBe(0);
  });
});
