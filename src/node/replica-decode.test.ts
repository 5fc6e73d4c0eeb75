/**
 * The engine against a plain reference decode written in Python over the PyTorch replica
 * (model/replica/reference_decode.py, LLaDA's fixed blocks with low-confidence remasking; BD3LM
 * on the absolute 32-grid with its block-causal mask): the chat template renders the same prompt
 * ids, and the engine gives the same tokens in the same blocks. The fixture says where the
 * reference itself found the fp16/q4f16 graph's tokens equal to PyTorch's; only those pairs are
 * held to exact equality. The order of commits is not compared: the runtime ranks by float32
 * probabilities, which round many of this replica's near-certain positions to exactly 1 (ties
 * go to the lower position), while the reference ranks them in float64.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generate } from "../decoding/engine.ts";
import { renderChat, type ChatMessage } from "../model/chat.ts";
import { loadModel, type LoadedModel } from "./model.ts";

const HUB = join(import.meta.dirname, "../../model/replica/hub/dllm-replica");
const FIXTURE = join(HUB, "reference-decodes.json");

interface ReferenceCase {
  messages: ChatMessage[];
  prompt_ids: number[];
  generated_ids: number[];
  blocks: [number, number][];
  steps: number;
  commit_order: number[][];
  onnx_same_tokens: Record<"fp16" | "q4f16", boolean>;
}
interface Reference {
  gen_length: number;
  block_size: number;
  models: Record<string, { kind: "mdlm" | "bd3lm"; cases: ReferenceCase[] }>;
}

const reference: Reference | undefined = existsSync(FIXTURE) ? (JSON.parse(readFileSync(FIXTURE, "utf8")) as Reference) : undefined;
const opened: LoadedModel[] = [];
afterAll(async () => {
  for (const loaded of opened) await loaded.model.dispose();
});

describe.skipIf(!reference)("engine = Python reference decode on the replica", () => {
  for (const [name, model] of Object.entries(reference?.models ?? {})) {
    for (const dtype of ["fp16", "q4f16"] as const) {
      const exact = model.cases.filter((c) => c.onnx_same_tokens[dtype]);
      it.skipIf(exact.length === 0)(`${name} ${dtype}: same prompt ids, tokens and blocks on ${exact.length} chat prompts`, async () => {
        const loaded = await loadModel(join(HUB, name), { dtype });
        opened.push(loaded);
        expect(loaded.model.attention).toBe(model.kind === "bd3lm" ? "block-causal" : "bidirectional");
        const eos = new Set(loaded.config.eosTokenIds);
        for (const c of exact) {
          const prompt = renderChat(loaded, c.messages);
          expect(loaded.codec.encode(prompt)).toEqual(c.prompt_ids);
          const options = { decoder: "fixed", genLength: reference!.gen_length, blockSize: reference!.block_size, steps: c.steps } as const;
          const result = await generate(loaded, prompt, options);
          const end = c.generated_ids.findIndex((id) => eos.has(id));
          expect(result.tokens).toEqual(end < 0 ? c.generated_ids : c.generated_ids.slice(0, end));
          // The engine stops at a settled end token; the reference decodes the whole canvas.
          expect(result.blocks).toEqual(c.blocks.slice(0, result.blocks.length));
        }
      }, 300_000);
    }
  }
});
