import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliRunner } from "./testing.ts";

const cli = cliRunner("eval.ts");

describe("npm run eval on the shipped model", () => {
  it("prints every figure per setting and B0 as JSON, and writes tables and plot with --out", async () => {
    const out = mkdtempSync(join(tmpdir(), "eval-"));
    const { code, stdout, stderr } = await cli(["--count", "1", "--block-sizes", "4,8", "--gen-length", "8", "--json", "--out", out]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/ETA/);
    const json = JSON.parse(stdout) as { partial: boolean; results: Record<string, Record<string, Record<string, number>>> };
    expect(json.partial).toBe(false);
    expect(Object.keys(json.results)).toEqual(["vanilla", "threshold", "adablock", "cache", "adablock+cache", "fixed"]);
    for (const bySize of Object.values(json.results)) {
      expect(Object.keys(bySize)).toEqual(["4", "8"]);
      for (const figures of Object.values(bySize)) {
        for (const key of ["accuracy", "nfePerToken", "tokensPerSecond", "meanBlockSize"]) expect(Number.isFinite(figures[key])).toBe(true);
        expect(figures.problems).toBe(1);
      }
    }
    // Each cell's one answer has exactly one first fault ("correct" when right).
    const faults = (JSON.parse(stdout) as { faults: Record<string, Record<string, Record<string, number>>> }).faults;
    for (const [setting, bySize] of Object.entries(faults)) {
      for (const [blockSize, counts] of Object.entries(bySize)) {
        expect(Object.values(counts).reduce((sum, n) => sum + n, 0)).toBe(1);
        expect(counts.correct).toBe(json.results[setting]![blockSize]!.accuracy);
      }
    }
    expect(readFileSync(join(out, "eval.md"), "utf8")).toContain("| setting | B0 = 4 | B0 = 8 |");
    expect(readFileSync(join(out, "eval.md"), "utf8")).toContain("| setting | B0 | correct | layout | copy | carry | arithmetic | step-count | final-line |");
    expect(readFileSync(join(out, "accuracy-vs-nfe.svg"), "utf8")).toContain("<svg");
    expect(existsSync(join(out, "eval.json"))).toBe(true);
  });

  it("--set v2 scores the word problems per category, in the tables and the JSON", async () => {
    const { code, stdout } = await cli(["--set", "v2", "--count", "2", "--decoders", "adablock", "--block-sizes", "8", "--gen-length", "16", "--json"]);
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as { set: string; categories: Record<string, Record<string, { group: string; total: number }[]>> };
    expect(json.set).toBe("v2");
    const rows = json.categories.adablock!["8"]!;
    // Each group counts both problems once (shapes: once per shape used, so at least twice).
    for (const group of ["steps", "size", "kind", "tense", "distractor"]) {
      expect(rows.filter((r) => r.group === group).reduce((n, r) => n + r.total, 0)).toBe(2);
    }
    expect(rows.filter((r) => r.group === "shape").reduce((n, r) => n + r.total, 0)).toBeGreaterThanOrEqual(4);
  });

  it("--baseline runs a second model on the same problems and pairs each cell with it", async () => {
    // The shipped model against itself: decoding is deterministic, so no problem differs.
    const { code, stdout, stderr } = await cli(["--count", "3", "--decoders", "adablock,threshold", "--block-sizes", "8", "--gen-length", "16", "--baseline", "public/models/dllm-tiny", "--json"]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^baseline .*ETA/m);
    const json = JSON.parse(stdout) as { results: Record<string, Record<string, { accuracy: number }>>; baseline: { model: string; comparisons: { setting: string; blockSize: number; problems: number; accuracy: number; baselineAccuracy: number; onlyModel: number; onlyBaseline: number; pValue: number }[] } };
    expect(json.baseline.model).toBe("public/models/dllm-tiny");
    expect(json.baseline.comparisons.map((c) => c.setting)).toEqual(["threshold", "adablock"]);
    for (const c of json.baseline.comparisons) {
      expect(c).toMatchObject({ blockSize: 8, problems: 3, onlyModel: 0, onlyBaseline: 0, pValue: 1 });
      expect(c.accuracy).toBe(c.baselineAccuracy);
      expect(c.accuracy).toBe(json.results[c.setting]!["8"]!.accuracy);
    }
  });

  it("--baseline with --set v2 also pairs each category", async () => {
    const { code, stdout } = await cli(["--set", "v2", "--count", "2", "--decoders", "adablock", "--block-sizes", "8", "--gen-length", "16", "--baseline", "public/models/dllm-tiny", "--json"]);
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as { baseline: { categories: Record<string, Record<string, { group: string; total: number; onlyModel: number; onlyBaseline: number }[]>> } };
    const rows = json.baseline.categories.adablock!["8"]!;
    expect(rows.filter((r) => r.group === "steps").reduce((n, r) => n + r.total, 0)).toBe(2);
    for (const row of rows) expect([row.onlyModel, row.onlyBaseline]).toEqual([0, 0]);
  });

  it("--baseline that cannot load fails before the model's run", async () => {
    const { code, stderr } = await cli(["--count", "1", "--baseline", "no/such/model"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^eval: ModelLoadError: .*no\/such\/model/);
    expect(stderr).not.toMatch(/ETA/);
  });

  it("exits 2 naming the flag on bad input", async () => {
    const { code, stderr } = await cli(["--decoders", "greedy"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^eval: OptionError: --decoders: /);
  });
});
