/**
 * The `dllm-web/node` entry: load a model folder (a local path, its http(s) URL or a Hugging Face
 * repo id) with onnxruntime-node and run the same engine the browser's worker runs.
 *
 *   import { generate, loadModel, resolveOptions } from "dllm-web/node";
 *   const model = await loadModel("./dllm-tiny");
 *   const prompt = "Question: ...\nAnswer:\n";
 *   const options = resolveOptions({ decoder: "adablock" }, model, model.codec.encode(prompt).length);
 *   const result = await generate(model, prompt, options, { onStep: (step) => console.log(step.nfe) });
 *
 * onnxruntime-node is an optional peer dependency: install it beside this package to use this
 * entry. The engine, decoders and errors are re-exported so a Node program needs this entry only;
 * they are the same objects as the main entry's (one shared chunk), so `instanceof` holds across both.
 */
export { loadModel, localModelFiles, nodeModelSource, DEFAULT_MODEL_PATH, type LoadedModel, type LoadModelOptions } from "./model.ts";
export { parseCliArgs, parseDelimiters, USAGE, FLAGS, type CliArgs } from "../../cli/args.ts";
export { headerLine, resultLine, stepLine } from "../decoding/trace.ts";
export { chatPrompt } from "../model/chat.ts";
export * from "../core.ts";
