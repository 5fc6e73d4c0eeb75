import { describe, expect, it } from "vitest";
import { generateChatTurn } from "./chat.ts";
import { fakeEngine, row, FAKE_PIECES } from "./testing.ts";

const V = FAKE_PIECES.length;
const TEMPLATE = "{% for m in messages %}{{ m.role[0] }}:{{ m.content }}\n{% endfor %}{% if add_generation_prompt %}a:{% endif %}";

describe("a chat turn", () => {
  it("renders the conversation through the template, decodes it, and returns the prompt it used", async () => {
    const engine = { ...fakeEngine(() => row(V, { 6: 9 })), chatTemplate: TEMPLATE };
    const turn = await generateChatTurn(engine, [{ role: "user", content: "ab" }], { decoder: "threshold", genLength: 4, blockSize: 4 });
    expect(turn.prompt).toBe("u:ab\na:");
    expect(turn.promptLength).toBe(7);
    expect(turn.text).toBe("aaaa");
  });

  it("a model without a template is an error naming the file", async () => {
    await expect(generateChatTurn(fakeEngine(() => row(V, {})), [{ role: "user", content: "a" }])).rejects.toThrow(/tokenizer_config.json: has no "chat_template"/);
  });
});
