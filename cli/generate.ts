/**
 * `npm run generate -- --prompt TEXT ...`: the engine the page runs, in Node.
 * Prints the text (or one JSON object with --json); progress goes to stderr; bad input exits
 * with status 2 and a one-line message; Ctrl-C stops after the current pass with the partial text.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { generate, resolveOptions } from "../src/decoding/engine.ts";
import { headerLine, resultLine, stepLine } from "../src/decoding/trace.ts";
import type { StepEvent } from "../src/decoding/types.ts";
import { ModelContractError, ModelLoadError, OptionError } from "../src/errors.ts";
import { chatPrompt, stripThinking } from "../src/model/chat.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../src/node/model.ts";
import { USAGE, asFlagError, parseCliArgs } from "./args.ts";

function progress(): (event: StepEvent, genLength: number) => void {
  const interactive = process.stderr.isTTY === true;
  let lastPrint = 0;
  return (event, genLength) => {
    const now = Date.now();
    if (!interactive && now - lastPrint < 2000) return;
    lastPrint = now;
    const done = genLength - event.masked.positions.length;
    const line = `pass ${event.nfe}: ${done}/${genLength} tokens, block [${event.block[0]}, ${event.block[1]})`;
    process.stderr.write(interactive ? `\r${line}\x1b[K` : `${line}\n`);
  };
}

async function main(): Promise<number> {
  if (process.argv.includes("--help")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const args = parseCliArgs(process.argv.slice(2));
  const loaded = await loadModel(args.model ?? DEFAULT_MODEL_PATH, { dtype: args.dtype, hubUrl: args.hubUrl });
  // --chat: the prompt becomes one user turn of the model's chat template.
  const prompt = args.chat ? chatPrompt(loaded, args.prompt) : args.prompt;
  const options = resolveOptions(args.options, loaded, loaded.codec.encode(prompt).length);
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  const trace = args.trace === undefined ? undefined : openSync(args.trace, "w");
  const write = (line: string): void => {
    if (trace !== undefined) writeSync(trace, line + "\n");
  };
  write(
    headerLine({
      prompt,
      promptTokens: loaded.codec.encode(prompt).map((id) => loaded.codec.tokenText(id)),
      options,
      model: args.model ?? DEFAULT_MODEL_PATH,
    }),
  );
  const report = progress();
  const result = await generate(loaded, prompt, options, {
    signal: controller.signal,
    onStep: (event) => {
      write(stepLine(event));
      report(event, options.genLength);
    },
  });
  write(resultLine(result));
  if (trace !== undefined) closeSync(trace);
  if (process.stderr.isTTY) process.stderr.write("\n");
  await loaded.model.dispose();
  await loaded.kvModel.dispose();
  const { tokens, nfe, blocks, stopReason, ms } = result;
  // A chat answer is shown as a user reads it: up to the end of turn, no special tokens, no empty think block.
  const text = args.chat ? stripThinking(result.text) : result.text;
  process.stdout.write(args.json ? JSON.stringify({ text, tokens, nfe, blocks, stopReason, ms: Math.round(ms) }) + "\n" : text + "\n");
  return stopReason === "aborted" ? 130 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const shown = error instanceof OptionError ? asFlagError(error) : error;
    const message = shown instanceof Error ? `${shown.name}: ${shown.message}` : String(shown);
    const badInput = error instanceof OptionError || error instanceof ModelLoadError || error instanceof ModelContractError;
    process.stderr.write(`generate: ${message.split("\n")[0]}${badInput ? " (--help for usage)" : ""}\n`);
    process.exit(badInput ? 2 : 1);
  },
);
