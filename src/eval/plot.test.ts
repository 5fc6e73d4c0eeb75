import { describe, expect, it } from "vitest";
import { accuracyVsNfeSvg, niceTicks } from "./plot.ts";
import { cell } from "./testing.ts";

describe("accuracy vs NFE plot", () => {
  it("draws one marker per scored cell, a line per setting and a legend", () => {
    const svg = accuracyVsNfeSvg([cell("threshold", 8, 79, 100, 40), cell("threshold", 16, 80, 100, 30), cell("adablock", 8, 81, 100, 35), cell("vanilla", 8, 0, 0)]);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    expect(svg.match(/<g data-setting=/g)).toHaveLength(3);
    expect(svg).toContain('data-setting="adablock" data-block-size="8"');
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg).toContain("+AdaBlock");
    expect(svg).not.toContain("vanilla (tau = 1)");
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });

  it("places better accuracy higher and more NFE further right", () => {
    const svg = accuracyVsNfeSvg([cell("threshold", 8, 60, 100, 80), cell("adablock", 8, 90, 100, 20)]);
    const point = (setting: string) => {
      const match = new RegExp(`data-setting="${setting}"[^>]*><polygon points="([\\d.]+),([\\d.]+)|data-setting="${setting}"[^>]*><rect x="([\\d.]+)" y="([\\d.]+)"`).exec(svg)!;
      return { x: Number(match[1] ?? match[3]), y: Number(match[2] ?? match[4]) };
    };
    expect(point("adablock").y).toBeLessThan(point("threshold").y);
    expect(point("adablock").x).toBeLessThan(point("threshold").x);
  });

  it("is still a valid picture with no data yet", () => {
    const svg = accuracyVsNfeSvg([]);
    expect(svg).toContain("</svg>");
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it("picks round ticks that cover the range", () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(73, 86)).toEqual([70, 75, 80, 85, 90]);
    expect(niceTicks(76, 84)).toEqual([76, 78, 80, 82, 84]);
    expect(niceTicks(5, 5)).toEqual([5, 5.2, 5.4, 5.6, 5.8, 6]);
    const ticks = niceTicks(0, 1.37);
    expect(ticks[0]).toBe(0);
    expect(ticks.at(-1)!).toBeGreaterThanOrEqual(1.37);
  });
});
