/**
 * One chat turn: the conversation rendered through the model's chat template, decoded by the
 * one engine loop, the answer shown without special tokens or the empty think block. The page's
 * chat mode and the CLI's --chat both call this.
 */
import { renderChat, stripThinking, type ChatMessage, type ChatTemplateInput } from "../model/chat.ts";
import { generate, type EngineModel, type GenerateHooks } from "./engine.ts";
import type { GenerateOptions, GenerateResult } from "./types.ts";

export interface ChatTurn extends GenerateResult {
  /** The rendered prompt the model saw. */
  prompt: string;
}

export async function generateChatTurn(
  engine: EngineModel & ChatTemplateInput,
  messages: readonly ChatMessage[],
  options: Partial<GenerateOptions> = {},
  hooks: GenerateHooks = {},
): Promise<ChatTurn> {
  const prompt = renderChat(engine, messages);
  const result = await generate(engine, prompt, options, hooks);
  return { ...result, prompt, text: stripThinking(result.text) };
}
