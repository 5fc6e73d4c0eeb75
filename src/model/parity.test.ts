import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL_PATH, loadModel } from "../node/model.ts";

interface ParityCase {
  input_ids: number[];
  top_ids: number[][];
  top_logits: number[][];
  probe_ids: number[];
  probe_logits: number[][];
  logsumexp: number[];
}

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../model/fixtures/dllm-tiny.parity.json"), "utf8"),
) as { tolerance: number; cases: ParityCase[] };

describe("shipped model parity with PyTorch", () => {
  it("onnxruntime-node reproduces PyTorch's logits within the tolerance", async () => {
    const { model } = await loadModel(DEFAULT_MODEL_PATH);
    let worst = 0;
    for (const c of fixture.cases) {
      const n = c.input_ids.length;
      const rows = await model.forward(Int32Array.from(c.input_ids), { from: 0, to: n, output: "logits" });
      if (rows.output !== "logits") throw new Error("asked for logits rows");
      const logits = rows.logits;
      const v = model.vocabSize;
      for (let pos = 0; pos < n; pos++) {
        const row = logits.subarray(pos * v, (pos + 1) * v);
        c.top_ids[pos]!.forEach((id, k) => {
          worst = Math.max(worst, Math.abs(row[id]! - c.top_logits[pos]![k]!));
        });
        c.probe_ids.forEach((id, k) => {
          worst = Math.max(worst, Math.abs(row[id]! - c.probe_logits[pos]![k]!));
        });
        let max = -Infinity;
        for (const x of row) max = Math.max(max, x);
        let sum = 0;
        for (const x of row) sum += Math.exp(x - max);
        worst = Math.max(worst, Math.abs(max + Math.log(sum) - c.logsumexp[pos]!));
        // The ranking must match too: PyTorch's top token is onnxruntime's top token.
        let argmax = 0;
        for (let i = 1; i < v; i++) if (row[i]! > row[argmax]!) argmax = i;
        expect(row[argmax]! - row[c.top_ids[pos]![0]!]!).toBeLessThanOrEqual(fixture.tolerance);
      }
    }
    expect(worst).toBeLessThanOrEqual(fixture.tolerance);
    expect(model.liveTensors).toBe(0);
    await model.dispose();
  });
});
