import { describe, expect, it } from "vitest";
import type { BackendInfo } from "../index.ts";
import { loadNotices } from "./notices.ts";

const wasm = (reason: string): BackendInfo => ({ backend: "wasm", adapter: "", reason, wasmThreads: 1, threadsReason: "1 thread: test", crossOriginIsolated: false });

describe("load notices", () => {
  it("tells of a WebGPU that failed, not of one that is missing", () => {
    expect(loadNotices({ backend: wasm("fell back to WASM: WebGPU session failed: shader compilation failed"), notices: [] })).toEqual([
      "WebGPU failed, running on WASM instead: fell back to WASM: WebGPU session failed: shader compilation failed",
    ]);
    expect(loadNotices({ backend: wasm("fell back to WASM: navigator.gpu.requestAdapter() failed (lost)"), notices: [] })).toHaveLength(1);
    expect(loadNotices({ backend: wasm("fell back to WASM: this browser has no navigator.gpu"), notices: [] })).toEqual([]);
  });
  it("passes the cache notices on", () => {
    expect(loadNotices({ backend: wasm("WASM was asked for"), notices: ["Cache Storage is unavailable here"] })).toEqual(["Cache Storage is unavailable here"]);
  });
});
