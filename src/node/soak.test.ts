/**
 * The Node soak: 1,000 short generations through the engine on the shipped model
 * (onnxruntime-node). JS heap after GC must grow less than 10% from the first tenth to the
 * last, and no tensor may be left undisposed. Prints the figures quoted in docs/reliability.md.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel, type LoadedModel } from "./model.ts";
import { soak } from "./soak.ts";

const MB = 1024 * 1024;

describe("long session in Node", () => {
  let loaded: LoadedModel;
  beforeAll(async () => {
    loaded = await loadModel();
  });
  afterAll(async () => {
    await loaded.model.dispose();
  });

  it("1,000 generations: flat JS heap, every tensor disposed", { timeout: 600_000 }, async () => {
    const figures = await soak(loaded, 1000);
    const { samples: _, ...summary } = figures;
    const mb = (g: { start: number; end: number; growth: number }) => `${(g.start / MB).toFixed(1)} MB -> ${(g.end / MB).toFixed(1)} MB (${(g.growth * 100).toFixed(1)}%)`;
    console.log(
      `SOAK node: ${figures.generations} generations, ${figures.passes} passes, ${figures.seconds.toFixed(1)} s; ` +
        `heapUsed ${mb(figures.heapUsed)}; rss ${mb(figures.rss)}; external ${mb(figures.external)}; ` +
        `tensors seen ${figures.tensorsSeen}, live at end ${figures.liveTensorsAtEnd}\n${JSON.stringify(summary)}`,
    );
    expect(figures.samples.every((s) => s.liveTensors === 0)).toBe(true);
    expect(figures.liveTensorsAtEnd).toBe(0);
    expect(figures.tensorsSeen).toBeGreaterThanOrEqual(2 * figures.passes);
    expect(figures.heapUsed.growth).toBeLessThan(0.1);
  });
});
