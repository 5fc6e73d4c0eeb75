/**
 * Chat models: the prompt is the conversation rendered through the folder's chat template
 * (tokenizer_config.json `chat_template`, Jinja, rendered with @huggingface/jinja as
 * transformers' apply_chat_template does), and the answer is the engine's text (cut at the first
 * end token, no special tokens) without Qwen3's empty `<think></think>` opening.
 */
import { Template } from "@huggingface/jinja";
import { ModelLoadError } from "../errors.ts";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatTemplateInput {
  chatTemplate?: string;
  /** tokenizer_config.json's `bos_token` / `eos_token`, which some templates print. */
  bosToken?: string;
  eosToken?: string;
}

/**
 * The conversation as the model was trained to see it, ending with the assistant's turn opened
 * (`add_generation_prompt`) and thinking turned off (`enable_thinking: false`, which Qwen3's
 * template renders as an empty think block the model then continues after).
 */
export function renderChat(input: ChatTemplateInput, messages: readonly ChatMessage[]): string {
  if (input.chatTemplate === undefined || input.chatTemplate.trim() === "") {
    throw new ModelLoadError("tokenizer_config.json", `has no "chat_template": this model has no chat format (use a plain prompt)`);
  }
  let template: Template;
  try {
    template = new Template(input.chatTemplate);
  } catch (error) {
    throw new ModelLoadError("tokenizer_config.json", `"chat_template" cannot be parsed (${(error as Error).message})`);
  }
  try {
    return template.render({
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      add_generation_prompt: true,
      enable_thinking: false,
      bos_token: input.bosToken ?? "",
      eos_token: input.eosToken ?? "",
    });
  } catch (error) {
    throw new ModelLoadError("tokenizer_config.json", `"chat_template" failed to render (${(error as Error).message})`);
  }
}

/** One user message through the template: what `--chat` feeds the model. */
export function chatPrompt(input: ChatTemplateInput, userText: string): string {
  return renderChat(input, [{ role: "user", content: userText }]);
}

/** The answer without an empty `<think>...</think>` block (only whitespace inside) at its start. */
export function stripThinking(text: string): string {
  return text.replace(/^\s*<think>\s*<\/think>\s*/, "");
}
