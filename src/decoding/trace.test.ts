import { describe, expect, it } from "vitest";
import { TraceError } from "../errors.ts";
import { generate, resolveOptions } from "./engine.ts";
import { EOS, FAKE_PIECES, NEWLINE, fakeEngine, row } from "./testing.ts";
import { parseTrace, serializeTrace, type Trace } from "./trace.ts";
import type { StepEvent } from "./types.ts";

async function sampleTrace(): Promise<Trace> {
  const engine = fakeEngine((_, p) => row(FAKE_PIECES.length, { [p % 5 === 0 ? NEWLINE : 6 + (p % 4)]: 1 + (p % 3), [EOS]: 0.5 }));
  const options = { decoder: "adablock", genLength: 12, blockSize: 4, delimiterThreshold: Infinity } as const;
  const steps: StepEvent[] = [];
  const result = await generate(engine, "ab", options, { onStep: (e) => steps.push(e) });
  return {
    header: { type: "header", version: 1, prompt: "ab", promptTokens: ["a", "b"], options: resolveOptions(options, engine, 2), model: "fake" },
    steps,
    result,
  };
}

describe("trace format", () => {
  it("round-trips a run, Infinity and typed arrays included", async () => {
    const trace = await sampleTrace();
    const parsed = parseTrace(serializeTrace(trace));
    expect(parsed.steps).toHaveLength(trace.steps.length);
    expect(parsed.header.options.delimiterThreshold).toBe(Infinity);
    expect(parsed.steps[0]!.committed.positions).toBeInstanceOf(Int32Array);
    expect(Array.from(parsed.steps[1]!.masked.confidences)).toEqual(Array.from(trace.steps[1]!.masked.confidences));
    expect(parsed.steps[0]!.decision?.delimiterThreshold).toBe(Infinity);
    expect(parsed.result.tokens).toEqual(trace.result.tokens);
  });

  it("rejects what is not a trace, naming the line", async () => {
    const good = serializeTrace(await sampleTrace()).trim().split("\n");
    const bad = (lines: string[]) => {
      try {
        parseTrace(lines.join("\n"));
      } catch (error) {
        expect(error).toBeInstanceOf(TraceError);
        return (error as TraceError).line;
      }
      throw new Error("accepted a bad trace");
    };
    expect(bad([])).toBe(1);
    expect(bad(["not json"])).toBe(1);
    expect(bad([good[1]!, ...good.slice(1)])).toBe(1);
    expect(bad(good.slice(0, -1))).toBe(good.length - 1);
    const swapped = [good[0]!, good[2]!, good[1]!, ...good.slice(3)];
    expect(bad(swapped)).toBe(2);
    expect(bad([good[0]!, '{"type":"step","step":0}', good.at(-1)!])).toBe(2);
  });
});
