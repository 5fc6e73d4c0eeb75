import { describe, expect, it } from "vitest";
import type { BandProfile, PassBand } from "../eval/volatility.ts";
import { bandProfileSvg, passBandSvg } from "./band-svg.ts";

const band: PassBand = {
  pass: 3,
  genLength: 4,
  confidences: [0.99, 0.9, 0.4, null],
  kinds: ["decoded", "committed", "masked", "masked"],
  block: [0, 2],
  window: [0, 3],
  delimiterThreshold: 0.3,
};

const profile: BandProfile = {
  bins: 3,
  positions: [1 / 6, 0.5, 5 / 6],
  curves: [
    { percent: 0, problems: 2, means: [0.5, null, 0.1], counts: [4, 0, 4] },
    { percent: 25, problems: 1, means: [1, 0.5, 0.2], counts: [2, 2, 2] },
  ],
  problems: 2,
  requested: 2,
  stopped: false,
};

describe("band charts as SVG", () => {
  it("draw one point per position with a value, coloured by kind, with the block and the window", () => {
    const svg = passBandSvg(band);
    expect(svg.match(/<circle class="point /g)).toHaveLength(3);
    expect(svg).toContain('class="point committed"');
    expect(svg).toContain('class="band-block"');
    expect(svg).toContain('class="band-window"');
    expect(svg).toContain('class="band-tau"');
    expect(passBandSvg({ ...band, window: null, delimiterThreshold: null })).not.toContain("band-window");
    // Fixed blocks (tau_D = Infinity): the window, no threshold line.
    expect(passBandSvg({ ...band, delimiterThreshold: Number.POSITIVE_INFINITY })).not.toContain("band-tau");
  });

  it("draw one line per snapshot, broken where a bin is empty, with a legend naming each", () => {
    const svg = bandProfileSvg(profile, "adablock <B0 8> & tau 0.9");
    const paths = [...svg.matchAll(/<path class="curve" data-percent="(\d+)" d="([^"]+)"/g)];
    expect(paths.map((m) => m[1])).toEqual(["0", "25"]);
    // The 0 % curve has no middle value: two separate pieces (two moves, no line between).
    expect(paths[0]![2]!.match(/M/g)).toHaveLength(2);
    expect(paths[0]![2]).not.toContain("L");
    expect(paths[1]![2]!.match(/M/g)).toHaveLength(1);
    expect(svg).toContain("0 % (n=2)");
    expect(svg).toContain("25 % (n=1)");
    expect(svg).toContain("adablock &lt;B0 8&gt; &amp; tau 0.9");
    expect(svg).not.toMatch(/style=/);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });
});
