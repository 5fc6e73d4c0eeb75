import { describe, expect, it } from "vitest";
import { ModelLoadError } from "../errors.ts";
import { fetchModelFiles, parseModelConfig } from "./model-folder.ts";

const respond = (body: string | Uint8Array<ArrayBuffer>, init: ResponseInit = {}) => (async () => new Response(body, init)) as unknown as typeof fetch;

describe("model files over HTTP", () => {
  it("rejects non-http(s) URLs", () => {
    expect(() => fetchModelFiles("ftp://example.org/m")).toThrow(ModelLoadError);
    expect(() => fetchModelFiles("file:///tmp/m")).toThrow(/must be an http\(s\) URL/);
  });
  it("names the file and status of a failed fetch", async () => {
    const files = fetchModelFiles("http://127.0.0.1:9/m", respond("nope", { status: 404 }));
    await expect(files.bytes("config.json")).rejects.toThrow(/config.json: could not be fetched .* HTTP 404/);
  });
  it("treats an HTML answer as a missing file", async () => {
    const files = fetchModelFiles("http://127.0.0.1:9/m", respond("<!doctype html>", { headers: { "content-type": "text/html" } }));
    await expect(files.bytes("onnx/model.onnx")).rejects.toThrow(/onnx\/model.onnx: was not found .* HTML page/);
  });
  it("detects a truncated download", async () => {
    const files = fetchModelFiles("http://127.0.0.1:9/m", respond(new Uint8Array(10), { headers: { "content-length": "20" } }));
    await expect(files.bytes("onnx/model.onnx")).rejects.toThrow(/truncated: got 10 of 20 bytes/);
  });
  it("reports progress up to the full size", async () => {
    const seen: number[] = [];
    const files = fetchModelFiles("http://127.0.0.1:9/m", respond(new Uint8Array(1000), { headers: { "content-length": "1000" } }));
    const bytes = await files.bytes("onnx/model.onnx", (p) => seen.push(p.loaded));
    expect(bytes.byteLength).toBe(1000);
    expect(seen.at(-1)).toBe(1000);
  });
});

describe("config.json", () => {
  const good = { vocab_size: 100, mask_token_id: 2, eos_token_id: 1, pad_token_id: 0, max_sequence_length: 512, delimiter_token_ids: [4] };
  it("reads the token ids and context", () => {
    expect(parseModelConfig(good)).toEqual({ vocabSize: 100, maskTokenId: 2, eosTokenId: 1, padTokenId: 0, maxSequenceLength: 512, delimiterTokenIds: [4] });
  });
  it("names a missing or bad field", () => {
    const { mask_token_id: _, ...noMask } = good;
    expect(() => parseModelConfig(noMask)).toThrow(/"mask_token_id" must be an integer/);
    expect(() => parseModelConfig({ ...good, eos_token_id: 100 })).toThrow(/outside the vocabulary/);
    expect(() => parseModelConfig({ ...good, delimiter_token_ids: ["\n"] })).toThrow(/delimiter_token_ids/);
    expect(() => parseModelConfig([])).toThrow(/JSON object/);
  });
});
