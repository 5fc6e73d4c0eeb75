/**
 * Live statistics of a run, as label/value pairs: NFE (forward passes), tokens per pass,
 * tokens per second, average block size and the backend.
 */
import { averageBlockSize, type RunState } from "./run-state.ts";

export function runStats(state: RunState, elapsedMs: number, backend: string): [string, string][] {
  const seconds = elapsedMs / 1000;
  return [
    ["NFE", String(state.steps)],
    ["tokens", `${state.committed} / ${state.genLength}`],
    ["tokens/pass", state.steps > 0 ? (state.committed / state.steps).toFixed(2) : "–"],
    ["tokens/s", seconds > 0 ? (state.committed / seconds).toFixed(1) : "–"],
    ["blocks", String(state.blocks.length)],
    ["avg block", state.blocks.length > 0 ? averageBlockSize(state).toFixed(1) : "–"],
    ["time", `${seconds.toFixed(2)} s`],
    ["backend", backend || "–"],
  ];
}
