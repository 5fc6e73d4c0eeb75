import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { describe, expect, it } from "vitest";
import { PROSE_SOURCES, cleanText } from "../../model/sources.ts";
import { DEFAULT_MODEL_PATH } from "../node/model.ts";
import { fakeTokenizer } from "../node/fake-export.ts";
import { EVAL_SEED, TRAIN_SEED_BASE, generateProblems } from "../problems/generate.ts";
import { V2_EVAL_SEED, V2_TRAIN_SEED_BASE, compactTarget, generateWordProblems } from "../problems/word-problems.ts";
import { createRandom } from "../util/random.ts";
import { createTextCodec } from "./tokenizer.ts";
import { createUnigramEncoder, type Encode } from "./unigram-encoder.ts";

const REPO = join(import.meta.dirname, "../..");
const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
const shippedJson = readJson(join(DEFAULT_MODEL_PATH, "tokenizer.json"));
const shippedConfig = readJson(join(DEFAULT_MODEL_PATH, "tokenizer_config.json"));

/** The library's ids, as the codec asked for them before the fast encoder. */
function libraryEncoder(json: object, config: object): Encode {
  const tokenizer = new Tokenizer(json as never, config as never);
  return (text) => tokenizer.encode(text, { add_special_tokens: false }).ids;
}

/** The texts whose ids differ, with both id lists (at most `limit` of them, so a failure stays readable). */
function differences(fast: Encode, library: Encode, texts: Iterable<string>, limit = 5): { text: string; fast: number[]; library: number[] }[] {
  const out: { text: string; fast: number[]; library: number[] }[] = [];
  for (const text of texts) {
    const a = fast(text);
    const b = library(text);
    if (a.length !== b.length || a.some((id, i) => id !== b[i])) out.push({ text, fast: a, library: b });
    if (out.length >= limit) break;
  }
  return out;
}

describe("the fast encoder on the shipped tokenizer", () => {
  const fast = createUnigramEncoder(shippedJson, shippedConfig);
  const library = libraryEncoder(shippedJson, shippedConfig);
  const same = (texts: Iterable<string>) => expect(differences(fast!, library, texts)).toEqual([]);

  it("is built for it", () => {
    expect(fast).toBeDefined();
  });

  it("gives the library's ids on arithmetic problems: prompts, targets and both together", () => {
    const problems = [
      ...generateProblems(EVAL_SEED, 1000),
      ...generateProblems(TRAIN_SEED_BASE, 500, { maxValue: 20, minSteps: 1, maxSteps: 2 }),
      ...generateProblems(TRAIN_SEED_BASE + 1, 500),
    ];
    same(problems.flatMap((p) => [p.prompt, p.target, p.prompt + p.target]));
  });

  it("gives the library's ids on word problems, both splits, worked and compact targets", () => {
    const problems = [
      ...generateWordProblems(V2_EVAL_SEED, 800, { split: "heldout" }),
      ...generateWordProblems(V2_TRAIN_SEED_BASE, 1200),
    ];
    same(problems.flatMap((p) => [p.prompt, p.target, compactTarget(p.target), p.prompt + compactTarget(p.target)]));
  });

  it("gives the library's ids on the project's own prose (README and docs, line by line and whole)", () => {
    const files = ["README.md", "docs/guide.md", "docs/models.md", "docs/reliability.md", "docs/results.md", "docs/kv-cache.md"];
    const texts = files.map((file) => readFileSync(join(REPO, file), "utf8"));
    const lines = texts.flatMap((text) => text.split("\n"));
    expect(lines.length).toBeGreaterThan(500);
    same([...lines, ...texts]);
  });

  // The training prose is fetched by the model build (model/sources.ts) into model/work/, which is
  // not committed. Where it is present: 1,500 sentences from each source, cleaned as training saw
  // them and raw, and every 100th paragraph whole.
  const sourceDirs = PROSE_SOURCES.map((source) => ({ source, dir: join(REPO, "model/work/sources", source.name, "package") }));
  it.skipIf(!sourceDirs.every(({ dir }) => existsSync(dir)))("gives the library's ids on the prose the model was trained on", () => {
    const texts: string[] = [];
    for (const { source, dir } of sourceDirs) {
      const paragraphs = source.paragraphs(dir);
      const sentences = paragraphs.flatMap((para) => para.split(/(?<=[.!?])\s+/));
      const every = Math.max(1, Math.floor(sentences.length / 1500));
      for (let i = 0; i < sentences.length; i += every) texts.push(cleanText(sentences[i]!), sentences[i]!);
      for (let i = 0; i < paragraphs.length; i += 100) texts.push(cleanText(paragraphs[i]!).slice(0, 5000));
    }
    expect(texts.length).toBeGreaterThan(5000);
    same(texts);
  });

  it("gives the library's ids on edge cases", () => {
    same([
      "",
      " ",
      "   ",
      " leading",
      "trailing ",
      "two  spaces   three",
      "\u2581already marked",
      "\n",
      "a\nb\n\nc",
      "\ttab\tand\r\nCRLF",
      "emoji 😀 and 😀😀 and 👩‍👩‍👧",
      "CJK 中文字 and 日本語",
      "accents: héllo naïve café Ångström",
      "ﬁ ligature, full-width ＡＢＣ, combining e\u0301",
      "a[EOS]b",
      "[MASK][MASK]",
      "[EOS]",
      "[EOS] leading added token",
      "text then [PAD]",
      " [UNK] spaced [UNK] ",
      "[EOS[MASK]]",
      "[[EOS]]",
      "lone surrogates \uD83D x \uDE00 y",
      "Question: 17 + 25 = ?\nAnswer:\n",
      "#### 42[EOS][EOS][EOS]",
    ]);
  });

  it("gives the library's ids on very long input", () => {
    const problems = generateWordProblems(V2_EVAL_SEED, 200, { split: "heldout" });
    same([problems.map((p) => p.prompt + p.target).join(" [EOS] 😀 ")]);
  });

  it("gives the library's ids on random strings of vocabulary pieces, spaces, unknown characters and added tokens", () => {
    const random = createRandom(19);
    const vocab = (shippedJson.model as { vocab: [string, number][] }).vocab.map(([piece]) => piece.replaceAll("\u2581", " "));
    const extras = [" ", "  ", "\n", "\t", "😀", "中", "é", "[EOS]", "[MASK]", "[UNK]", "[", "]", "\uD83D", "\u2581"];
    const texts: string[] = [];
    for (let i = 0; i < 2000; i++) {
      let text = "";
      const parts = random.int(1, 12);
      for (let p = 0; p < parts; p++) text += random.next() < 0.75 ? random.pick(vocab) : random.pick(extras);
      texts.push(text);
    }
    same(texts);
  });

  it("is what the codec encodes with", () => {
    const codec = createTextCodec(shippedJson, shippedConfig);
    const prompt = generateProblems(EVAL_SEED, 1)[0]!.prompt;
    expect(codec.encode(prompt)).toEqual(library(prompt));
    expect(codec.decode(codec.encode(prompt))).toBe(prompt);
  });
});

/**
 * A tiny Unigram tokenizer.json of the shipped shape: the four added tokens, the given pieces,
 * then any further added tokens (ids 4 + pieces.length onwards).
 */
function tinyUnigram(pieces: [string, number][], preTokenizer: Record<string, unknown> = {}, moreAdded: string[] = []): Record<string, unknown> {
  const specials = ["[PAD]", "[EOS]", "[MASK]", "[UNK]"];
  const added = [...specials, ...pieces.map(() => ""), ...moreAdded];
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added
      .map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }))
      .filter((token) => token.content !== ""),
    normalizer: null,
    pre_tokenizer: { type: "Metaspace", replacement: "\u2581", prepend_scheme: "first", split: false, ...preTokenizer },
    post_processor: null,
    decoder: { type: "Metaspace", replacement: "\u2581", prepend_scheme: "first", split: false },
    model: { type: "Unigram", unk_id: 3, byte_fallback: false, vocab: [...specials.map((s): [string, number] => [s, 0]), ...pieces, ...moreAdded.map((s): [string, number] => [s, 0])] },
  };
}

describe("the library's rules, on hand-made vocabularies", () => {
  it("a tie between paths goes to the longer last piece, as in the library", () => {
    // "ab" alone and "a" + "b" both score -2.
    const json = tinyUnigram([["\u2581", -1], ["a", -1], ["b", -1], ["ab", -2], ["\u2581a", -3]]);
    const fast = createUnigramEncoder(json, {})!;
    expect(fast("ab")).toEqual([4, 7]);
    expect(differences(fast, libraryEncoder(json, {}), ["ab", "abab", "a b", "b ab"])).toEqual([]);
  });

  it("runs of unknown characters become one unknown id; scored below the lowest piece", () => {
    const json = tinyUnigram([["\u2581", -1], ["x", -2], ["\u2581x", -1], ["xyz", -30]]);
    const fast = createUnigramEncoder(json, {})!;
    expect(fast("x??x")).toEqual([6, 3, 5]);
    // Unknowns score -30 - 10: "▁" + "xyz" (-31) beats "▁x" + two unknowns (-81).
    expect(fast("xyz")).toEqual([4, 7]);
    expect(differences(fast, libraryEncoder(json, {}), ["x??x", "xyz", "??", "? ?", "[UNK]?", "?[UNK]", "😀x😀😀"])).toEqual([]);
  });

  it("an unknown character scores 10 below the lowest piece", () => {
    // After "▁": "ya" + "b" scores -28; unknown "y" + "ab" scores -20 - 10 - 1 = -31, which loses
    // (with a penalty of 5 it would win at -26).
    const json = tinyUnigram([["\u2581", -1], ["ya", -20], ["b", -8], ["ab", -1]]);
    const fast = createUnigramEncoder(json, {})!;
    expect(fast("yab")).toEqual([4, 5, 6]);
    expect(differences(fast, libraryEncoder(json, {}), ["yab", "yabyab", "ab yab"])).toEqual([]);
  });

  it("pieces outside the Basic Multilingual Plane match whole characters, never half a pair", () => {
    const json = tinyUnigram([["\u2581", -1], ["😀", -2], ["a😀", -1], ["a", -3]]);
    const fast = createUnigramEncoder(json, {})!;
    expect(fast("a😀")).toEqual([4, 6]);
    expect(differences(fast, libraryEncoder(json, {}), ["a😀😀", "😀a😀 😀", "😁a😂", "a\uD83D", "\uD83Da\uDE00😀", "a😀\uDE00"])).toEqual([]);
  });

  it("added tokens are cut out leftmost first, then longest", () => {
    const json = tinyUnigram([["\u2581", -1], ["<", -2], ["a", -2]], {}, ["<<", "<<<", "a<"]);
    const fast = createUnigramEncoder(json, {})!;
    expect(fast("<<<<")).toEqual([8, 5]);
    expect(fast("a<<<")).toEqual([9, 7]);
    expect(differences(fast, libraryEncoder(json, {}), ["<<<<", "a<<<", "<<", "<a<<", " <<<a<", "a<<<<<<<"])).toEqual([]);
  });

  it("prepend schemes always and never, and a replacement for spaces other than the marker", () => {
    const pieces: [string, number][] = [["\u2581", -1], ["a", -1], ["\u2581a", -1], ["_", -1], ["_a", -1]];
    for (const pre of [{ prepend_scheme: "always" }, { prepend_scheme: "never" }, { prepend_scheme: undefined }, { str_rep: "_" }]) {
      const json = tinyUnigram(pieces, pre);
      const fast = createUnigramEncoder(json, {});
      expect(fast).toBeDefined();
      expect(differences(fast!, libraryEncoder(json, {}), ["a a", " a", "[EOS]a", "a[EOS]a", "[EOS] a", "\u2581a"])).toEqual([]);
    }
  });
});

describe("tokenizers the fast encoder leaves to the library", () => {
  const shippedWith = (change: (json: Record<string, unknown>) => void): Record<string, unknown> => {
    const json = structuredClone(shippedJson);
    change(json);
    return json;
  };

  it("a byte-level BPE (Qwen's kind)", () => {
    expect(createUnigramEncoder(fakeTokenizer().tokenizer, {})).toBeUndefined();
    const replica = join(REPO, "model/replica/hub/dllm-replica/Qwen3-replica-diffusion-bd3lm-ONNX");
    expect(createUnigramEncoder(readJson(join(replica, "tokenizer.json")), readJson(join(replica, "tokenizer_config.json")))).toBeUndefined();
  });

  it("a Unigram with a normalizer, another pre-tokenizer, a post-processor or byte fallback", () => {
    const variants = [
      shippedWith((json) => {
        json.normalizer = { type: "Lowercase" };
      }),
      shippedWith((json) => {
        json.pre_tokenizer = { type: "Whitespace" };
      }),
      shippedWith((json) => {
        json.pre_tokenizer = null;
      }),
      shippedWith((json) => {
        json.post_processor = { type: "TemplateProcessing", single: [], pair: [], special_tokens: {} };
      }),
      shippedWith((json) => {
        (json.model as Record<string, unknown>).byte_fallback = true;
      }),
      shippedWith((json) => {
        (json.added_tokens as Record<string, unknown>[])[1]!.lstrip = true;
      }),
    ];
    for (const json of variants) expect(createUnigramEncoder(json, shippedConfig)).toBeUndefined();
  });

  it("a tokenizer_config.json that asks the library to squeeze spaces", () => {
    expect(createUnigramEncoder(shippedJson, { ...shippedConfig, remove_space: true })).toBeUndefined();
  });

  it("the codec still encodes those with the library", () => {
    const json = shippedWith((j) => {
      j.normalizer = { type: "Lowercase" };
    });
    const codec = createTextCodec(json, shippedConfig);
    expect(codec.encode("The Answer")).toEqual(libraryEncoder(json, shippedConfig)("The Answer"));
    expect(codec.encode("The Answer")).toEqual(codec.encode("the answer"));
  });
});
