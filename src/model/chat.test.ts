import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FAKE_IDS, fakeTokenizer } from "../node/fake-export.ts";
import { chatPrompt, renderChat, stripThinking } from "./chat.ts";
import { createTextCodec } from "./tokenizer.ts";

/** Qwen3's chat template as its tokenizer_config.json ships it (Qwen/Qwen3-0.6B). */
const QWEN3 = readFileSync(join(import.meta.dirname, "fixtures/qwen3-chat-template.jinja"), "utf8");

describe("chat template", () => {
  it("renders one user turn as Qwen3's ChatML with the assistant turn open and thinking off", () => {
    expect(chatPrompt({ chatTemplate: QWEN3, eosToken: "<|im_end|>" }, "What is 2+3?")).toBe(
      "<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
    );
  });
  it("renders a system message and earlier turns", () => {
    const text = renderChat({ chatTemplate: QWEN3 }, [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello." },
      { role: "user", content: "Bye" },
    ]);
    expect(text).toBe(
      "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n" +
        "<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
    );
  });
  it("passes bos/eos tokens to templates that print them", () => {
    expect(chatPrompt({ chatTemplate: "{{ bos_token }}{% for m in messages %}{{ m.content }}{{ eos_token }}{% endfor %}", bosToken: "<s>", eosToken: "</s>" }, "x")).toBe("<s>x</s>");
  });
  it("says clearly when a folder has no template, or a broken one", () => {
    expect(() => chatPrompt({}, "x")).toThrow(/tokenizer_config.json: has no "chat_template"/);
    expect(() => chatPrompt({ chatTemplate: "{% if %}" }, "x")).toThrow(/tokenizer_config.json: "chat_template" cannot be parsed/);
  });
});

describe("answers", () => {
  it("strips only an empty think block at the start", () => {
    expect(stripThinking("<think>\n\n</think>\n\nFive.")).toBe("Five.");
    expect(stripThinking("Five. <think></think>")).toBe("Five. <think></think>");
    expect(stripThinking("<think>reasoning</think>Five.")).toBe("<think>reasoning</think>Five.");
  });
  it("decoded for the answer, special tokens are no text (the engine cuts at the end tokens before this)", () => {
    const codec = createTextCodec(fakeTokenizer().tokenizer, {});
    const tokens = [FAKE_IDS.think, 256, FAKE_IDS.thinkEnd, 256, 258, FAKE_IDS.imStart, 32, 258];
    // <think> is an added token but not a special one (as in Qwen3): stripThinking drops the empty block.
    expect(stripThinking(codec.decode(tokens, { skipSpecialTokens: true }))).toBe("he he");
    expect(codec.decode([258, FAKE_IDS.imEnd, 258], { skipSpecialTokens: true })).toBe("hehe");
  });
});
