import { describe, expect, it } from "vitest";
import { ModelLoadError } from "../errors.ts";
import { fakeTokenizer, FAKE_IDS } from "../node/fake-export.ts";
import { chatTemplateOf, checkFileName, deriveModelConfig, fetchModelFiles, parseModelConfig, type ModelMetadata } from "./model-folder.ts";
import { createTextCodec } from "./tokenizer.ts";

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
  it("size() reads HEAD: a length, or undefined for a missing file", async () => {
    const methods: string[] = [];
    const answer = (status: number, headers: Record<string, string> = {}) =>
      (async (_url: string, init?: RequestInit) => {
        methods.push(init?.method ?? "GET");
        return new Response(null, { status, headers });
      }) as unknown as typeof fetch;
    expect(await fetchModelFiles("http://127.0.0.1:9/m", answer(200, { "content-length": "1234" })).size("onnx/model.onnx")).toBe(1234);
    expect(await fetchModelFiles("http://127.0.0.1:9/m", answer(404)).size("onnx/model.onnx")).toBeUndefined();
    expect(await fetchModelFiles("http://127.0.0.1:9/m", answer(401)).size("onnx/model.onnx")).toBeUndefined();
    expect(await fetchModelFiles("http://127.0.0.1:9/m", answer(200, { "content-type": "text/html" })).size("x.onnx")).toBeUndefined();
    await expect(fetchModelFiles("http://127.0.0.1:9/m", answer(503)).size("onnx/model.onnx")).rejects.toThrow(/HTTP 503/);
    expect(methods).toEqual(["HEAD", "HEAD", "HEAD", "HEAD", "HEAD"]);
  });
  it("refuses file names that leave the folder", async () => {
    expect(() => checkFileName("../config.json")).toThrow(/not a file name inside the model folder/);
    expect(() => checkFileName("/etc/passwd")).toThrow(ModelLoadError);
    await expect(fetchModelFiles("http://127.0.0.1:9/m", respond("x")).bytes("onnx/../../x")).rejects.toThrow(ModelLoadError);
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
    expect(parseModelConfig(good)).toEqual({ vocabSize: 100, maskTokenId: 2, eosTokenId: 1, eosTokenIds: [1], padTokenId: 0, maxSequenceLength: 512, delimiterTokenIds: [4] });
  });
  it("names a missing or bad field", () => {
    const { mask_token_id: _, ...noMask } = good;
    expect(() => parseModelConfig(noMask)).toThrow(/"mask_token_id" must be an integer/);
    expect(() => parseModelConfig({ ...good, eos_token_id: 100 })).toThrow(/outside the vocabulary/);
    expect(() => parseModelConfig({ ...good, delimiter_token_ids: ["\n"] })).toThrow(/delimiter_token_ids/);
    expect(() => parseModelConfig([])).toThrow(/JSON object/);
  });
});

describe("config derived from a real export's files", () => {
  const codec = createTextCodec(fakeTokenizer().tokenizer, {});
  const meta = (config: Record<string, unknown>, tokenizerConfig: Record<string, unknown> = {}, generationConfig?: Record<string, unknown>): ModelMetadata => ({
    config,
    tokenizerConfig,
    generationConfig,
    codec,
  });
  const qwen = { vocab_size: 272, max_position_embeddings: 512, eos_token_id: FAKE_IDS.imEnd };
  const tokens = { eos_token: "<|im_end|>", pad_token: "<|endoftext|>", mask_token: { content: "<|mask|>" } };

  it("takes mask, EOS and pad from the tokenizer files, the vocabulary from the graph", () => {
    const config = deriveModelConfig(meta(qwen, tokens, { eos_token_id: [FAKE_IDS.endoftext, FAKE_IDS.imEnd] }), 272);
    expect(config).toEqual({
      vocabSize: 272,
      maskTokenId: FAKE_IDS.mask,
      eosTokenId: FAKE_IDS.imEnd,
      eosTokenIds: [FAKE_IDS.imEnd, FAKE_IDS.endoftext],
      padTokenId: FAKE_IDS.endoftext,
      maxSequenceLength: 512,
      // "\n" (byte 10) and "\n\n" (a merge): every token whose text holds a newline.
      delimiterTokenIds: [10, 256],
    });
  });
  it("our config.json fields override, and must agree with the tokenizer", () => {
    const ours = { ...qwen, mask_token_id: FAKE_IDS.mask, pad_token_id: 0, max_sequence_length: 128, delimiter_token_ids: [46] };
    expect(deriveModelConfig(meta(ours, { mask_token: "<|mask|>" }))).toMatchObject({ maskTokenId: FAKE_IDS.mask, padTokenId: 0, maxSequenceLength: 128, delimiterTokenIds: [46] });
    expect(() => deriveModelConfig(meta({ ...qwen, mask_token_id: 5 }, tokens))).toThrow(/config.json: "mask_token_id" 5 disagrees with tokenizer_config.json's "mask_token" \(id 263\)/);
  });
  it("falls back to config.json ids, and pad to the first EOS", () => {
    expect(deriveModelConfig(meta({ ...qwen, mask_token_id: FAKE_IDS.mask, eos_token_id: [7, 8] }))).toMatchObject({ eosTokenId: 7, eosTokenIds: [7, 8], padTokenId: 7 });
  });
  it("names the file and field of a missing or inconsistent piece", () => {
    expect(() => deriveModelConfig(meta(qwen, { ...tokens, mask_token: "<|MASK|>" }))).toThrow(/tokenizer_config.json: "mask_token" "<\|MASK\|>" is not in the vocabulary of tokenizer.json/);
    expect(() => deriveModelConfig(meta(qwen, { eos_token: "<|im_end|>" }))).toThrow(/names no "mask_token" and config.json has no "mask_token_id"/);
    expect(() => deriveModelConfig(meta({ ...qwen, eos_token_id: undefined }, { mask_token: "<|mask|>" }))).toThrow(/has no "eos_token_id"/);
    expect(() => deriveModelConfig(meta(qwen, tokens, { eos_token_id: "x" }))).toThrow(/generation_config.json: "eos_token_id" must be a token id or a list/);
    expect(() => deriveModelConfig(meta(qwen, tokens), 300)).toThrow(/"vocab_size" 272 disagrees with the graph's logits width 300/);
    expect(() => deriveModelConfig(meta({ ...qwen, vocab_size: 100 }, tokens))).toThrow(/tokenizer.json: has ids up to 265 but the model's vocabulary has 100 rows/);
    expect(() => deriveModelConfig(meta({ ...qwen, max_position_embeddings: undefined }, tokens))).toThrow(/neither "max_sequence_length" nor "max_position_embeddings"/);
    expect(() => deriveModelConfig(meta({ ...qwen, eos_token_id: 999 }, { mask_token: "<|mask|>" }))).toThrow(/"eos_token_id" 999 is outside the vocabulary \(size 272\)/);
  });
  it("reads the chat template, plain or named", () => {
    expect(chatTemplateOf({ chat_template: "{{ x }}" })).toBe("{{ x }}");
    expect(chatTemplateOf({ chat_template: [{ name: "tool_use", template: "t" }, { name: "default", template: "d" }] })).toBe("d");
    expect(chatTemplateOf({})).toBeUndefined();
  });
});
