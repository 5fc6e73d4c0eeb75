import { describe, expect, it } from "vitest";
import { KV_GRAPH_INPUTS, KV_GRAPH_OUTPUTS } from "../src/model/onnx-model.ts";
import {
  faultTable,
  graphsByLengthTable,
  kvGraphSection,
  largeNumbers,
  leadingFaults,
  mostFrequentWord,
  type Precisions,
  trainedOnLongCanvases,
  trainingCurveTable,
  trainingRunsIntro,
  trainingRunsTable,
  wordProblemSection,
} from "./card.ts";
import { categoryRows } from "../src/eval/categories.ts";
import type { Categories, SizeBucket } from "../src/problems/word-problems.ts";

describe("model card", () => {
  it("documents every input and output of the KV-cache graph with the config's shapes", () => {
    // A config of its own, not the shipped one: the expected shapes stay literals, and the shipped
    // config's agreement with its graph is kv-cache.test.ts's to check.
    const config = { num_hidden_layers: 6, num_attention_heads: 8, hidden_size: 256, vocab_size: 4001 };
    const section = kvGraphSection(config, 23_200_000);
    for (const name of [...KV_GRAPH_INPUTS, ...KV_GRAPH_OUTPUTS]) expect(section).toContain(`\`${name}\``);
    expect(section).toContain("float32 [6, batch, 8, past, 32]");
    expect(section).toContain("float32 [batch, window, 4001]");
    expect(section).toContain("23.2 MB");
  });

  it("lists every training run in order, and one run for configs written before runs were recorded", () => {
    const table = trainingRunsTable({
      steps: 5000,
      minutes: 185,
      evals: [],
      runs: [
        { steps: 1690, minutes: 105, batch: 48, device: "cpu", threads: 2, blas_core: null, recipe: "weighted 1/t" },
        { steps: 3310, minutes: 80, batch: 48, device: "cpu", threads: 2, blas_core: "SkylakeX", recipe: "mean per sequence" },
        { steps: 3200, minutes: 70, batch: 48, lr: 0.00075, device: "cpu", threads: 2, blas_core: null, recipe: "blocks" },
      ],
    }).split("\n");
    expect(table).toHaveLength(5);
    expect(table[4]).toBe("| 3 | 3200 | 70 | 48, peak lr 0.00075 | 2 CPU threads, OpenBLAS core auto-detected | blocks |");
    expect(table[2]).toBe("| 1 | 1690 | 105 | 48 | 2 CPU threads, OpenBLAS core auto-detected | weighted 1/t |");
    expect(table[3]).toBe("| 2 | 3310 | 80 | 48 | 2 CPU threads, OpenBLAS core SkylakeX | mean per sequence |");
    const mixed = { steps: 6000, minutes: 202, batch: 48, device: "cpu", threads: 2, blas_core: "Haswell", precisions: [[0, "fp32"], [1700, "bf16 autocast"]] as Precisions };
    expect(trainingRunsTable({ steps: 6000, minutes: 202, evals: [], runs: [mixed] }).split("\n")[2]).toContain(
      "| 2 CPU threads, OpenBLAS core Haswell; fp32, bf16 autocast from step 1700 |",
    );
    expect(trainingRunsTable({ steps: 6000, minutes: 202, evals: [], runs: [{ ...mixed, precisions: [[0, "fp32"]] as Precisions }] }).split("\n")[2]).toContain(
      "| 2 CPU threads, OpenBLAS core Haswell | not recorded |",
    );
    // Recorded before train.py replaced a precision noted at the step where another took over.
    expect(trainingRunsTable({ steps: 6000, minutes: 202, evals: [], runs: [{ ...mixed, precisions: [[0, "fp32"], [0, "bf16 autocast"]] as Precisions }] }).split("\n")[2]).toContain(
      "| 2 CPU threads, OpenBLAS core Haswell; bf16 autocast |",
    );
    const legacy = trainingRunsTable({ steps: 1690, minutes: 105, evals: [] }).split("\n");
    expect(legacy).toHaveLength(3);
    expect(legacy[2]).toContain("| 1 | 1690 | 105 | 48 |");
    // A run that grew or cut the model says so; one that only records its depth reads as before.
    const deep = { steps: 3556, minutes: 85, batch: 48, device: "cpu", layers: 6 };
    expect(trainingRunsTable({ steps: 3556, minutes: 85, evals: [], runs: [{ ...deep, grown_from: 4 }] }).split("\n")[2]).toContain(
      "| 1 | 3556; grew the model from 4 to 6 layers | 85 |",
    );
    expect(trainingRunsTable({ steps: 4500, minutes: 53, evals: [], runs: [{ ...deep, steps: 4500, minutes: 53, layers: 4, cut_from: 6 }] }).split("\n")[2]).toContain(
      "| 1 | 4500; kept the first 4 of the 6 layers it started from | 53 |",
    );
    expect(trainingRunsTable({ steps: 3556, minutes: 85, evals: [], runs: [deep] }).split("\n")[2]).toContain("| 1 | 3556 | 85 |");
  });

  it("says whether the build's one command trains the shipped weights: only when they are one run", () => {
    const run = { steps: 5400, minutes: 95, batch: 48, device: "cpu" };
    expect(trainingRunsIntro({ steps: 5400, minutes: 95, evals: [], runs: [run] })).toContain(
      "`npm run model:build -- --steps 5400` (its default seed, 2 threads) trains it again step for step",
    );
    // A run whose schedule restarted names its legs, since --steps 10000 alone anneals differently.
    const legs = { ...run, steps: 10000, minutes: 190, legs: [4800, 6800, 10000] };
    expect(trainingRunsIntro({ steps: 10000, minutes: 190, evals: [], runs: [legs] })).toContain("`npm run model:build -- --steps 4800,6800,10000`");
    expect(trainingRunsTable({ steps: 10000, minutes: 190, evals: [], runs: [legs] }).split("\n")[2]).toContain(
      "| 1 | 10000 (legs ending at 4800, 6800, 10000) | 190 |",
    );
    expect(trainingRunsIntro({ steps: 5400, minutes: 95, evals: [], runs: [{ ...run, lr: 0.0015 }] })).toContain(
      "`npm run model:build -- --steps 5400 --lr 0.0015`",
    );
    expect(trainingRunsIntro({ steps: 5400, minutes: 40, evals: [], runs: [{ ...run, precisions: [[0, "bf16 autocast"]] as Precisions }] })).toContain(
      "`npm run model:build -- --steps 5400 --bf16`",
    );
    const switched = trainingRunsIntro({ steps: 5400, minutes: 60, evals: [], runs: [{ ...run, precisions: [[0, "fp32"], [1700, "bf16 autocast"]] as Precisions }] });
    expect(switched).toBe("One run from randomly initialised weights:");
    expect(trainingRunsIntro({ steps: 10800, minutes: 190, evals: [], runs: [run, run] })).toContain("trains a different model");
    expect(trainingRunsIntro({ steps: 20000, minutes: 7, evals: [], runs: [{ ...run, device: "cuda" }] })).not.toContain("step for step");
    expect(trainingRunsIntro({ steps: 1690, minutes: 105, evals: [] })).not.toContain("step for step");
  });

  it("draws the training curve with per-canvas-length columns only where a run measured them", () => {
    const before = { step: 11003, minutes: 301.7, heldout_exact: 0.883 };
    expect(trainingCurveTable([before]).split("\n")).toEqual(["| minutes | step | exact match % |", "| --- | --- | --- |", "| 301.7 | 11003 | 88.3 |"]);
    const lengths = { step: 11403, minutes: 330.2, heldout_exact: 0.9, heldout_exact_L64: 0.85, heldout_exact_L128: 0.8, heldout_exact_L256: 0.75 };
    const table = trainingCurveTable([before, { ...before, heldout_exact: 0.9, heldout_exact_L256: 0.1 }, lengths]).split("\n");
    expect(table).toHaveLength(4); // the same step measured again is one row
    expect(table[0]).toBe("| minutes | step | exact match % | L = 64, B0 16, τ 0.9 % | L = 128, B0 16, τ 0.9 % | L = 256, B0 16, τ 0.9 % |");
    expect(table[2]).toBe("| 301.7 | 11003 | 90.0 | – | – | 10.0 |");
    expect(table[3]).toBe("| 330.2 | 11403 | 90.0 | 85.0 | 80.0 | 75.0 |");
    const words = trainingCurveTable([lengths, { ...lengths, step: 11903, v2_exact_L64: 0.5 }]).split("\n");
    expect(words[0]).toMatch(/\| L = 256, B0 16, τ 0.9 % \| word problems, L = 64 % \|$/);
    expect(words.slice(2)).toEqual(["| 330.2 | 11403 | 90.0 | 85.0 | 80.0 | 75.0 | – |", "| 330.2 | 11903 | 90.0 | 85.0 | 80.0 | 75.0 | 50.0 |"]);
  });

  it("reports word problems per set and per category", () => {
    const rows = categoryRows(
      [
        { shapes: ["had", "add"], steps: 1, size: "<=99", distractor: false, kind: "items", tense: "past" },
        { shapes: ["had", "give"], steps: 2, size: "<=99", distractor: true, kind: "money", tense: "present" },
      ],
      [true, false],
    );
    const section = wordProblemSection("q8", [
      { set: "v2easy", correct: 1, problems: 2, rows },
      { set: "v2mid", correct: 0, problems: 2, rows },
    ]);
    expect(section).toContain("| two-digit numbers, 1-3 steps (`--set v2easy`) | 50.0 | 1/2 |");
    expect(section).toContain("| numbers to 999, 1-3 steps (`--set v2mid`) | 0.0 | 0/2 |");
    expect(section).toContain("the int8 graph");
    expect(section).toContain("--set v2easy|v2mid --decoders adablock --block-sizes 16 --count 2 --dtype q8");
    expect(section).toContain("| 1 | 100.0 | 1/1 |");
    expect(section).toContain("| give | 0.0 | 0/1 |");
  });

  it("sums the word problems with a number of 100 or more over the sets measured", () => {
    const problem = (size: SizeBucket): Categories => ({ shapes: ["had", "add"], steps: 1, size, distractor: false, kind: "items", tense: "past" });
    const easy = categoryRows([problem("<=99"), problem("100-999")], [true, true]);
    const mid = categoryRows([problem("100-999"), problem(">=1000"), problem("<=99")], [false, true, false]);
    expect(largeNumbers([{ set: "v2easy", correct: 2, problems: 2, rows: easy }, { set: "v2mid", correct: 1, problems: 3, rows: mid }])).toBe(
      "Word problems with a number of 100 or more (the sets above together): 66.7 % exact (2/3).",
    );
    expect(largeNumbers([])).toBe("Numbers of 100 or more were not measured.");
  });

  it("shows the default decoder's accuracy at each canvas length, with a dash where there is no int8 graph", () => {
    const table = graphsByLengthTable([
      { genLength: 64, fp32: { correct: 420, problems: 500 }, int8: { correct: 415, problems: 500 } },
      { genLength: 256, fp32: { correct: 120, problems: 500 }, int8: null },
    ]).split("\n");
    expect(table).toEqual(["| L | fp32 % | int8 % |", "|---|---|---|", "| 64 | 84.0 (420/500) | 83.0 (415/500) |", "| 256 | 24.0 (120/500) | – |"]);
  });

  it("knows a model trained on long canvases from its runs' recipes", () => {
    const run = { steps: 1200, minutes: 70, batch: 48, device: "cpu" };
    expect(trainedOnLongCanvases({ steps: 1200, minutes: 70, evals: [], runs: [{ ...run, recipe: "blocks" }] })).toBe(false);
    expect(trainedOnLongCanvases({ steps: 1200, minutes: 70, evals: [] })).toBe(false);
    const lengths = { ...run, recipe: "blocks; lengths mix: canvas length 64/128/256 drawn per batch" };
    expect(trainedOnLongCanvases({ steps: 2400, minutes: 140, evals: [], runs: [{ ...run, recipe: "blocks" }, lengths] })).toBe(true);
  });

  it("shows every answer fault with its count and share", () => {
    const table = faultTable({ correct: 30, layout: 0, copy: 50, carry: 5, arithmetic: 15, "step-count": 0, "final-line": 0 }).split("\n");
    expect(table).toHaveLength(9);
    expect(table[2]).toMatch(/^\| correct \| .* \| 30 \| 30\.0 \|$/);
    expect(table[4]).toMatch(/^\| copy \| .* \| 50 \| 50\.0 \|$/);
    expect(table[7]).toMatch(/^\| step-count \| .* \| 0 \| 0\.0 \|$/);
  });

  it("names the two most frequent faults of the wrong answers", () => {
    const none = { correct: 0, layout: 0, copy: 0, carry: 0, arithmetic: 0, "step-count": 0, "final-line": 0 };
    expect(leadingFaults({ ...none, correct: 30, copy: 50, carry: 5, arithmetic: 15 })).toBe(
      "most wrong answers first go wrong by *copy* (a number or operation taken from the question is wrong: 50% of all answers), then by *arithmetic* (15%).",
    );
    expect(leadingFaults({ ...none, correct: 9, layout: 1 })).toMatch(/^most wrong answers first go wrong by \*layout\* .*: 10% of all answers\)\.$/);
    expect(leadingFaults({ ...none, correct: 412, copy: 1, carry: 2, arithmetic: 85 })).toMatch(/: 17% of all answers\), then by \*carry\* \(0\.4%\)\.$/);
    expect(leadingFaults({ ...none, correct: 4 })).toBe("every measured answer is right.");
  });

  it("measures how much of the prose samples is one repeated word", () => {
    expect(mostFrequentWord(["of the the the", "the government, of the people"])).toBe(
      '"the" is 56% of the 9 words written after the 2 prose prompts.',
    );
    expect(mostFrequentWord(["## 12", ""])).toBe("the prose samples contain no words at all.");
  });
});
