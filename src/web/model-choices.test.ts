import { describe, expect, it } from "vitest";
import { modelChoices, OTHER } from "./model-choices.ts";

describe("model picker entries", () => {
  it("the embedded model first, each hub variant with its size, then other", () => {
    const choices = modelChoices();
    expect(choices[0]).toMatchObject({ value: "dllm-tiny|", model: "./models/dllm-tiny/" });
    const q4 = choices.find((c) => c.value === "naklitechie/Qwen3-0.6B-diffusion-bd3lm-ONNX|q4f16");
    expect(q4).toMatchObject({ model: "naklitechie/Qwen3-0.6B-diffusion-bd3lm-ONNX", dtype: "q4f16" });
    expect(q4!.label).toMatch(/q4f16 · about 648\.5 MB download/);
    expect(choices.filter((c) => c.value.includes("mdlm")).map((c) => c.dtype)).toEqual(["fp16", "q4f16"]);
    expect(choices.at(-1)!.value).toBe(OTHER);
  });
});
