import { describe, expect, it } from "vitest";
import { axisTicks } from "./axis.ts";
import { heatCellAt, heatCellSize, heatRowPixels } from "./heatmap.ts";

describe("axis ticks", () => {
  it("picks round steps that start at the first value and stay within the range", () => {
    expect(axisTicks(0, 63)).toEqual([0, 20, 40, 60]);
    expect(axisTicks(1, 30)).toEqual([1, 10, 20, 30]);
    expect(axisTicks(1, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(axisTicks(1, 1)).toEqual([1]);
    expect(axisTicks(0, 511)).toEqual([0, 200, 400]);
    expect(axisTicks(3, 2)).toEqual([]);
  });
});

describe("heat-map geometry", () => {
  it("sizes cells to the run: narrower columns for longer runs, rows 3 to 8 pixels", () => {
    expect(heatCellSize(64)).toEqual({ width: 10, height: 8 });
    expect(heatCellSize(256)).toEqual({ width: 2, height: 3 });
    expect(heatCellSize(1024)).toEqual({ width: 1, height: 3 });
  });

  it("draws a pass 14 px tall in a short run, thinner in a long one, never under 3 px", () => {
    expect(heatRowPixels(5)).toBe(14);
    expect(heatRowPixels(30)).toBe(8);
    expect(heatRowPixels(64)).toBe(3);
    expect(heatRowPixels(256)).toBe(3);
    expect(heatRowPixels(0)).toBe(14);
  });

  it("maps a point on the canvas to the pass and position under it", () => {
    expect(heatCellAt(0, 0, 64, 5)).toEqual({ index: 0, pass: 1 });
    expect(heatCellAt(0.999, 0.999, 64, 5)).toEqual({ index: 63, pass: 5 });
    expect(heatCellAt(0.5, 0.5, 64, 4)).toEqual({ index: 32, pass: 3 });
    expect(heatCellAt(1, 0.5, 64, 4)).toBeNull();
    expect(heatCellAt(0.5, 0.5, 64, 0)).toBeNull();
  });
});
