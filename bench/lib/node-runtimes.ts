/**
 * A model folder's graphs opened in Node, through the project's one onnxruntime module:
 * onnxruntime-node at one thread (intraOpNumThreads 1) and at its default thread count, both
 * with spinning off as the CLI's loader runs it; onnxruntime-web's WASM backend at one thread.
 * Graphs with external data (the Qwen3 replica's) get it as the runtime takes it: native reads
 * it beside the graph's path, WASM is handed its bytes.
 */
import { resolve } from "node:path";
import * as ortNode from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";
import type { ModelFiles } from "../../src/model/model-folder.ts";
import { chooseGraph, type Dtype } from "../../src/model/model-source.ts";
import { loadGraphSource } from "../../src/model/onnx-external-data.ts";
import { createOnnxModel, type OnnxModel } from "../../src/model/onnx-model.ts";
import { localModelFiles } from "../../src/node/model.ts";

const ORT_WEB_DIST = resolve(import.meta.dirname, "../../node_modules/onnxruntime-web/dist") + "/";

export type NodeRuntime = "node-native-1t" | "node-native" | "node-wasm";

/** onnxruntime-node's workers busy-wait between operators unless told not to (src/node/model.ts does the same). */
const NO_SPINNING = { session: { intra_op: { allow_spinning: "0" } } };

/** The folder's files; for WASM every file as bytes (it cannot open a path). */
function filesFor(runtime: NodeRuntime, modelDir: string): ModelFiles {
  const files = localModelFiles(modelDir);
  return runtime === "node-wasm" ? { ...files, externalData: (file, onProgress) => files.bytes(file, onProgress) } : files;
}

/** One graph of the model folder (`file` relative to it) on the given runtime. */
export async function openInNode(runtime: NodeRuntime, modelDir: string, file: string, vocabSize: number): Promise<OnnxModel> {
  const source = await loadGraphSource(filesFor(runtime, modelDir), file);
  if (runtime === "node-native-1t") return createOnnxModel(ortNode, source, { vocabSize, sessionOptions: { intraOpNumThreads: 1, extra: NO_SPINNING } });
  if (runtime === "node-native") return createOnnxModel(ortNode, source, { vocabSize, sessionOptions: { extra: NO_SPINNING } });
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.wasm.wasmPaths = ORT_WEB_DIST;
  ortWeb.env.logLevel = "error";
  return createOnnxModel(ortWeb, source, { vocabSize, executionProviders: ["wasm"] });
}

/** The folder's graph of `dtype`, picked as loadModel picks it, on the given runtime; with the file that opened. */
export async function openDtypeInNode(runtime: NodeRuntime, modelDir: string, dtype: Dtype, vocabSize: number): Promise<{ file: string; model: OnnxModel }> {
  const { file } = await chooseGraph(localModelFiles(modelDir), { dtype, backend: runtime === "node-wasm" ? "wasm" : "cpu" });
  return { file, model: await openInNode(runtime, modelDir, file, vocabSize) };
}

/** CPU time of this process so far (every thread, user + system), ms. */
export const processCpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
