import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { ModelContractError, ModelLoadError } from "../errors.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../node/model.ts";
import { createOnnxModel } from "./onnx-model.ts";

const fixture = (name: string) => new Uint8Array(readFileSync(join(import.meta.dirname, "../../model/fixtures", name)));

describe("ONNX graph contract", () => {
  it("names the inputs and outputs of a graph that does not meet it", async () => {
    const error = await createOnnxModel(ort, fixture("wrong-names.onnx"), { vocabSize: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelContractError);
    expect((error as Error).message).toMatch(/must take "input_ids" \(and optionally attention_mask, position_ids, row_range\) and return "logits"; onnx\/model.onnx takes \[tokens\] and returns \[scores\]/);
  });

  it("rejects bytes that are not an ONNX model", async () => {
    const error = await createOnnxModel(ort, new TextEncoder().encode("not a model"), { vocabSize: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelContractError);
  });

  it("rejects a truncated model file", async () => {
    const bytes = new Uint8Array(readFileSync(join(DEFAULT_MODEL_PATH, "onnx/model.onnx")));
    const error = await createOnnxModel(ort, bytes.subarray(0, bytes.length >> 1), { vocabSize: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelContractError);
  });
});

describe("model folder on disk", () => {
  it("names the missing file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "model-"));
    try {
      cpSync(DEFAULT_MODEL_PATH, dir, { recursive: true });
      rmSync(join(dir, "tokenizer.json"));
      const error = await loadModel(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelLoadError);
      expect((error as ModelLoadError).file).toBe("tokenizer.json");
      expect((error as Error).message).toMatch(/is missing from/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects an empty path", async () => {
    await expect(loadModel("  ")).rejects.toThrow(/model: must be a model folder path/);
  });
});
