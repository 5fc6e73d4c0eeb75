import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL_PATH } from "../node/model.ts";
import { FAKE_IDS, fakeTokenizer } from "../node/fake-export.ts";
import { createTextCodec } from "./tokenizer.ts";

const readJson = (path: string): object => JSON.parse(readFileSync(path, "utf8")) as object;

describe("byte-level tokenizer (Qwen's kind)", () => {
  const codec = createTextCodec(fakeTokenizer().tokenizer, {});
  it("counts ids up to the added tokens above the byte vocabulary", () => {
    expect(codec.vocabSize).toBe(FAKE_IDS.thinkEnd + 1);
    expect(codec.specialTokenIds).toEqual([FAKE_IDS.endoftext, FAKE_IDS.imStart, FAKE_IDS.imEnd, FAKE_IDS.mask]);
    expect(codec.idOf("<|mask|>")).toBe(FAKE_IDS.mask);
  });
  it("finds plain text in the byte alphabet and shows pieces as text", () => {
    expect(codec.idOf("\n")).toBe(10);
    expect(codec.piece(259)).toBe("Ġthe");
    expect(codec.tokenText(259)).toBe(" the");
    expect(codec.tokenText(256)).toBe("\n\n");
    expect(codec.tokenText(FAKE_IDS.imEnd)).toBe("<|im_end|>");
  });
  it("decodes with or without special tokens", () => {
    const ids = codec.encode("<|im_start|>he\n<|im_end|>");
    expect(codec.decode(ids)).toBe("<|im_start|>he\n<|im_end|>");
    expect(codec.decode(ids, { skipSpecialTokens: true })).toBe("he\n");
    expect(codec.decode([])).toBe("");
  });
  it("newline tokens: every token whose text holds a newline", () => {
    expect(codec.newlineTokenIds()).toEqual([10, 256]);
  });
});

describe("the shipped Unigram tokenizer", () => {
  const codec = createTextCodec(readJson(join(DEFAULT_MODEL_PATH, "tokenizer.json")), readJson(join(DEFAULT_MODEL_PATH, "tokenizer_config.json")));
  it("keeps its ids and texts", () => {
    expect(codec.vocabSize).toBe(4001);
    expect(codec.idOf("\n")).toBeDefined();
    expect(codec.specialTokenIds).toEqual([0, 1, 2, 3]);
    expect(codec.newlineTokenIds()).toContain(codec.idOf("\n"));
  });
});

// The replica's Qwen3-size tokenizer (model/replica/, built by `model/replica/tokenizer.py`; not committed).
const REPLICA_TOKENIZER = join(import.meta.dirname, "../../model/replica/work/tokenizer");
describe.skipIf(!existsSync(join(REPLICA_TOKENIZER, "tokenizer.json")))("a real byte-level BPE with Qwen3's special tokens", () => {
  it("newline tokens are exactly those whose decoded text holds a newline", () => {
    const json = readJson(join(REPLICA_TOKENIZER, "tokenizer.json"));
    const config = readJson(join(REPLICA_TOKENIZER, "tokenizer_config.json"));
    const codec = createTextCodec(json, config);
    const tokenizer = new Tokenizer(json as never, config as never);
    const special = new Set(codec.specialTokenIds);
    const decoded: number[] = [];
    for (let id = 0; id < codec.vocabSize; id++) {
      if (codec.piece(id) !== `[${id}]` && !special.has(id) && tokenizer.decode([id]).includes("\n")) decoded.push(id);
    }
    expect(decoded.length).toBeGreaterThan(100);
    expect(codec.newlineTokenIds()).toEqual(decoded);
    expect(codec.idOf("<|mask|>")).toBe(151669);
    expect(codec.vocabSize).toBe(151670);
  }, 120_000);
});
