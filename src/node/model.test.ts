/**
 * Loading in Node: the shipped model as before, other dtypes, and real-export-shaped folders
 * (external data, ids from the tokenizer files, a padded graph vocabulary) from a local path and
 * from a hub-style server by repo id.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelLoadError } from "../errors.ts";
import { parseModelConfig } from "../model/model-folder.ts";
import { FAKE_GRAPH_VOCAB, FAKE_IDS, serveHub, writeFakeExport, type FakeHub } from "./fake-export.ts";
import { DEFAULT_MODEL_PATH, loadModel, nodeModelSource, type LoadedModel } from "./model.ts";

const QWEN3_TEMPLATE = readFileSync(join(import.meta.dirname, "../model/fixtures/qwen3-chat-template.jinja"), "utf8");

async function disposing<T>(loaded: LoadedModel, check: (loaded: LoadedModel) => T | Promise<T>): Promise<T> {
  try {
    return await check(loaded);
  } finally {
    await loaded.model.dispose();
    await loaded.kvModel.dispose();
  }
}

describe("the shipped model", () => {
  it("loads exactly as before: fp32 graph, config.json's ids", async () => {
    const config = parseModelConfig(JSON.parse(readFileSync(join(DEFAULT_MODEL_PATH, "config.json"), "utf8")));
    await disposing(await loadModel(), (loaded) => {
      expect(loaded.graph).toMatchObject({ dtype: "fp32", file: "onnx/model.onnx" });
      expect(loaded.config).toEqual(config);
      expect(loaded.model.vocabSize).toBe(4001);
      expect(loaded.model.attention).toBe("bidirectional");
      expect(loaded.specialTokenIds).toEqual([0, 1, 2, 3]);
      expect(loaded.chatTemplate).toBeUndefined();
    });
  });
  it("by its catalog id, and its int8 graph with dtype q8", async () => {
    expect(nodeModelSource("dllm-tiny")).toEqual({ kind: "path", path: DEFAULT_MODEL_PATH });
    await disposing(await loadModel("dllm-tiny", { dtype: "q8" }), (loaded) => {
      expect(loaded.graph).toMatchObject({ dtype: "q8", file: "onnx/model_quantized.onnx" });
      expect(loaded.config.maskTokenId).toBe(2);
    });
  });
  it("a dtype it lacks is named with the ones it has", async () => {
    await expect(loadModel(DEFAULT_MODEL_PATH, { dtype: "q4f16" })).rejects.toThrow(/has no q4f16 graph \(it has fp32, q8\)/);
  });
});

describe("a real export's layout", () => {
  let root: string;
  let hub: FakeHub;
  const local = (): string => join(root, "owner/replica");
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "fake-hub-"));
    writeFakeExport(local(), { graphs: { "model_fp16_fused.onnx": true, "model_q4f16_rtn_sym.onnx": true, "model_kv.onnx": false }, chatTemplate: QWEN3_TEMPLATE });
    writeFakeExport(join(root, "owner/nolisting"), { graphs: { "model_q4f16.onnx": true } });
    writeFakeExport(join(root, "owner/broken"), { graphs: { "model_fp16.onnx": true } });
    rmSync(join(root, "owner/broken/onnx/model_fp16.onnx.data"));
    hub = await serveHub(root);
  });
  afterAll(async () => {
    await hub.close();
    rmSync(root, { recursive: true, force: true });
  });

  const expectQwenShape = (loaded: LoadedModel) => {
    expect(loaded.config).toEqual({
      vocabSize: FAKE_GRAPH_VOCAB,
      maskTokenId: FAKE_IDS.mask,
      eosTokenId: FAKE_IDS.imEnd,
      eosTokenIds: [FAKE_IDS.imEnd, FAKE_IDS.endoftext],
      padTokenId: FAKE_IDS.endoftext,
      maxSequenceLength: 512,
      delimiterTokenIds: [10, 256],
    });
    expect(loaded.chatTemplate).toBe(QWEN3_TEMPLATE);
    expect(loaded.specialTokenIds).toEqual([FAKE_IDS.endoftext, FAKE_IDS.imStart, FAKE_IDS.imEnd, FAKE_IDS.mask]);
  };

  it("from a local path: fp16 by default (no fp32), q4f16 when asked, weights read beside the graph", async () => {
    await disposing(await loadModel(local()), (loaded) => {
      expect(loaded.graph).toMatchObject({ dtype: "fp16", file: "onnx/model_fp16_fused.onnx" });
      expectQwenShape(loaded);
    });
    await disposing(await loadModel(local(), { dtype: "q4f16" }), (loaded) => {
      expect(loaded.graph).toMatchObject({ dtype: "q4f16", file: "onnx/model_q4f16_rtn_sym.onnx" });
    });
  });

  it("runs a pass: the graph's padded vocabulary, top rows", async () => {
    await disposing(await loadModel(local(), { dtype: "fp16" }), async (loaded) => {
      const rows = await loaded.model.forward(new Int32Array([10, FAKE_IDS.mask]), { from: 0, to: 2, output: "top" });
      expect(rows.output === "top" && Array.from(rows.topIds.filter((_, i) => i % 2 === 0))).toEqual([258, 258]);
    });
  });

  it("by repo id from a hub: its listing picks the graph, only that graph and its data are downloaded", async () => {
    hub.requests.length = 0;
    const seen = new Set<string>();
    await disposing(await loadModel("owner/replica", { dtype: "q4f16", hubUrl: hub.url, onProgress: (p) => seen.add(p.file) }), (loaded) => {
      expect(loaded.source).toMatchObject({ kind: "hub", repo: "owner/replica" });
      expect(loaded.graph).toMatchObject({ dtype: "q4f16", file: "onnx/model_q4f16_rtn_sym.onnx" });
      expect(loaded.graph.bytes).toBeGreaterThan(FAKE_GRAPH_VOCAB * FAKE_GRAPH_VOCAB * 4);
      expectQwenShape(loaded);
    });
    expect(hub.requests).toContain("GET /api/models/owner/replica/tree/main/onnx");
    const gets = hub.requests.filter((r) => r.startsWith("GET /owner/")).map((r) => r.slice("GET /owner/replica/resolve/main/".length));
    expect(gets.sort()).toEqual(["config.json", "generation_config.json", "onnx/model_q4f16_rtn_sym.onnx", "onnx/model_q4f16_rtn_sym.onnx.data", "tokenizer.json", "tokenizer_config.json"]);
    expect([...seen]).toContain("onnx/model_q4f16_rtn_sym.onnx.data");
  });

  it("without a listing, probes the usual names", async () => {
    const noListing = await serveHub(root, false);
    try {
      await disposing(await loadModel("owner/nolisting", { hubUrl: noListing.url }), (loaded) => {
        expect(loaded.graph).toMatchObject({ dtype: "q4f16", file: "onnx/model_q4f16.onnx" });
      });
      expect(noListing.requests.filter((r) => r.startsWith("HEAD /owner/nolisting/resolve/main/onnx/"))).toEqual([
        "HEAD /owner/nolisting/resolve/main/onnx/variants.json",
        "HEAD /owner/nolisting/resolve/main/onnx/model.onnx",
        "HEAD /owner/nolisting/resolve/main/onnx/model_fp16.onnx",
        "HEAD /owner/nolisting/resolve/main/onnx/model_fp16_fused.onnx",
        "HEAD /owner/nolisting/resolve/main/onnx/model_q4f16.onnx",
        "HEAD /owner/nolisting/resolve/main/onnx/model_q4f16.onnx.data",
      ]);
    } finally {
      await noListing.close();
    }
  });

  it("names what is missing", async () => {
    await expect(loadModel(join(root, "owner/broken"))).rejects.toThrow(/onnx\/model_fp16.onnx.data: is missing from .*owner\/broken \(onnx\/model_fp16.onnx keeps its weights there\)/);
    await expect(loadModel("owner/broken", { hubUrl: hub.url })).rejects.toThrow(ModelLoadError);
    await expect(loadModel("owner/nothing", { hubUrl: hub.url })).rejects.toThrow(/config.json: could not be fetched from .*owner\/nothing\/resolve\/main\/config.json: HTTP 404/);
    await expect(loadModel("owner/replica", { hubUrl: hub.url, dtype: "q8" })).rejects.toThrow(/has no q8 graph \(it has fp16, q4f16\)/);
    await expect(loadModel("no-such-name")).rejects.toThrow(/no-such-name: is neither a model folder/);
  });
});

describe("the KV-cache graph", () => {
  it("opens on first use for a q8 graph too (its int8 twin)", async () => {
    const seen: string[] = [];
    const loaded = await loadModel(DEFAULT_MODEL_PATH, { dtype: "q8", onProgress: (p) => seen.push(p.file) });
    await disposing(loaded, async () => {
      expect(seen.some((file) => file.includes("model_kv"))).toBe(false);
      expect((await loaded.kvModel()).kvShape.layers).toBeGreaterThan(0);
    });
  });
});
