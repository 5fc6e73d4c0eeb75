/**
 * The local replica of the real exports (model/replica/build.sh writes
 * model/replica/hub/dllm-replica/Qwen3-replica-diffusion-{mdlm,bd3lm}-ONNX: Qwen3's layout,
 * a >100k-token tokenizer with Qwen's special ids, fp16 and q4f16 graphs with external data),
 * loaded from its local path as a user would with --dtype fp16 and q4f16. The folders are
 * committed (model/replica/build.sh rebuilds them); a checkout without them skips these tests.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chatPrompt } from "../model/chat.ts";
import { serveHub } from "./fake-export.ts";
import { loadModel } from "./model.ts";

const HUB = join(import.meta.dirname, "../../model/replica/hub/dllm-replica");
const KINDS = [
  ["mdlm", "bidirectional"],
  ["bd3lm", "block-causal"],
] as const;

for (const [kind, attention] of KINDS) {
  const folder = join(HUB, `Qwen3-replica-diffusion-${kind}-ONNX`);
  describe.skipIf(!existsSync(join(folder, "config.json")))(`replica ${kind}`, () => {
    for (const [dtype, file] of [
      ["fp16", "onnx/model_fp16_fused.onnx"],
      ["q4f16", "onnx/model_q4f16_rtn_sym.onnx"],
    ] as const) {
      it(`loads ${dtype} from the local folder with Qwen3's ids and runs a pass`, async () => {
        const loaded = await loadModel(folder, { dtype });
        try {
          expect(loaded.graph).toMatchObject({ dtype, file });
          expect(loaded.model.attention).toBe(attention);
          expect(loaded.config).toMatchObject({ vocabSize: 151936, maskTokenId: 151669, eosTokenId: 151645, padTokenId: 151643 });
          expect(loaded.config.eosTokenIds).toContain(151643);
          expect(loaded.config.delimiterTokenIds.length).toBeGreaterThan(100);
          expect(loaded.specialTokenIds).toContain(151669);
          const prompt = chatPrompt(loaded, "What is 2 + 3?");
          expect(prompt.endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n")).toBe(true);
          const ids = [...loaded.codec.encode(prompt), ...Array<number>(8).fill(loaded.config.maskTokenId)];
          const rows = await loaded.model.forward(Int32Array.from(ids), { from: ids.length - 8, to: ids.length, output: "top" }, {
            promptLength: ids.length - 8,
            blocks: [[ids.length - 8, ids.length]],
          });
          expect(rows.output).toBe("top");
          if (rows.output === "top") {
            expect(rows.topProbs.every((p) => Number.isFinite(p) && p >= 0 && p <= 1)).toBe(true);
            expect(rows.topProbs[0]).toBeGreaterThan(0);
          }
        } finally {
          await loaded.model.dispose();
          await loaded.kvModel.dispose();
        }
      }, 120_000);
    }
  });
}

const MDLM = "dllm-replica/Qwen3-replica-diffusion-mdlm-ONNX";
describe.skipIf(!existsSync(join(HUB, "..", MDLM, "config.json")))("replica by repo id from a hub", () => {
  it("the hub's listing picks q4f16 and only its graph and data are downloaded", async () => {
    const hub = await serveHub(join(HUB, ".."));
    try {
      const loaded = await loadModel(MDLM, { dtype: "q4f16", hubUrl: hub.url });
      try {
        expect(loaded.graph.file).toBe("onnx/model_q4f16_rtn_sym.onnx");
        expect(loaded.config.maskTokenId).toBe(151669);
      } finally {
        await loaded.model.dispose();
      }
      const onnx = hub.requests.filter((r) => r.startsWith(`GET /${MDLM}/resolve/main/onnx/`));
      expect(onnx.map((r) => r.slice(r.lastIndexOf("/") + 1)).sort()).toEqual(["model_q4f16_rtn_sym.onnx", "model_q4f16_rtn_sym.onnx.data"]);
    } finally {
      await hub.close();
    }
  }, 120_000);
});
