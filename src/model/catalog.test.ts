import { describe, expect, it } from "vitest";
import { CATALOG, catalogModel, DEFAULT_MODEL_ID } from "./catalog.ts";
import { dtypeOfFile, isRepoId } from "./model-source.ts";

describe("catalog", () => {
  it("offers the embedded model first, then the two Qwen3-0.6B diffusion exports", () => {
    expect(CATALOG.map((m) => m.id)).toEqual(["dllm-tiny", "naklitechie/Qwen3-0.6B-diffusion-mdlm-ONNX", "naklitechie/Qwen3-0.6B-diffusion-bd3lm-ONNX"]);
    expect(catalogModel(DEFAULT_MODEL_ID)?.kind).toBe("embedded");
    expect(catalogModel("NakliTechie/qwen3-0.6b-diffusion-bd3lm-onnx")?.attention).toBe("block-causal");
    expect(catalogModel("naklitechie/Qwen3-0.6B-diffusion-mdlm-ONNX")?.attention).toBe("bidirectional");
    expect(catalogModel("other/model")).toBeUndefined();
  });
  it("every variant's file is a graph of its dtype, and hub entries are repo ids", () => {
    for (const model of CATALOG) {
      expect(model.variants.length).toBeGreaterThan(0);
      for (const variant of model.variants) expect(dtypeOfFile(variant.file), variant.file).toBe(variant.dtype);
      if (model.kind === "hub") expect(isRepoId(model.id)).toBe(true);
      expect(model.verified.length).toBeGreaterThan(0);
    }
  });
});
