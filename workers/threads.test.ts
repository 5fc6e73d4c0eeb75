import { describe, expect, it } from "vitest";
import { chooseWasmThreads } from "./threads.ts";

describe("WASM thread count", () => {
  it("one thread on a 2-core machine, saying why", () => {
    const choice = chooseWasmThreads({ requested: undefined, crossOriginIsolated: true, cores: 2 });
    expect(choice.threads).toBe(1);
    expect(choice.reason).toMatch(/2 logical cores.*slower/);
  });

  it("half the cores, at most 4, on bigger machines", () => {
    expect(chooseWasmThreads({ requested: undefined, crossOriginIsolated: true, cores: 6 }).threads).toBe(3);
    expect(chooseWasmThreads({ requested: undefined, crossOriginIsolated: true, cores: 16 }).threads).toBe(4);
  });

  it("the user's count wins where threads exist, never without isolation", () => {
    expect(chooseWasmThreads({ requested: 2, crossOriginIsolated: true, cores: 2 })).toEqual({ threads: 2, reason: "2 threads: set by hand" });
    const plain = chooseWasmThreads({ requested: 4, crossOriginIsolated: false, cores: 8 });
    expect(plain.threads).toBe(1);
    expect(plain.reason).toMatch(/not cross-origin isolated/);
  });

  it("an unknown core count is treated as a small machine", () => {
    expect(chooseWasmThreads({ requested: undefined, crossOriginIsolated: true, cores: undefined }).threads).toBe(1);
  });
});
