import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL_PATH } from "../src/node/model.ts";
import { KV_GRAPH_INPUTS, KV_GRAPH_OUTPUTS } from "../src/model/onnx-model.ts";
import { kvGraphSection } from "./card.ts";

describe("model card", () => {
  it("documents every input and output of the KV-cache graph with the shipped model's shapes", () => {
    const config = JSON.parse(readFileSync(join(DEFAULT_MODEL_PATH, "config.json"), "utf8")) as Record<string, unknown>;
    const section = kvGraphSection(config, 16_800_000);
    for (const name of [...KV_GRAPH_INPUTS, ...KV_GRAPH_OUTPUTS]) expect(section).toContain(`\`${name}\``);
    expect(section).toContain("float32 [4, batch, 8, past, 32]");
    expect(section).toContain(`float32 [batch, window, ${config.vocab_size}]`);
    expect(section).toContain("16.8 MB");
  });
});
