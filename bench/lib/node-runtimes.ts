/**
 * The shipped model's graphs opened in Node, through the project's one onnxruntime module:
 * onnxruntime-node at one thread (intraOpNumThreads 1) and at its default thread count, both
 * with spinning off as the CLI's loader runs it; onnxruntime-web's WASM backend at one thread.
 */
import { join, resolve } from "node:path";
import { readFileSync } from "node:fs";
import * as ortNode from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";
import { createOnnxModel, type OnnxModel } from "../../src/model/onnx-model.ts";

const ORT_WEB_DIST = resolve(import.meta.dirname, "../../node_modules/onnxruntime-web/dist") + "/";

export type NodeRuntime = "node-native-1t" | "node-native" | "node-wasm";

/** onnxruntime-node's workers busy-wait between operators unless told not to (src/node/model.ts does the same). */
const NO_SPINNING = { session: { intra_op: { allow_spinning: "0" } } };

/** One graph of the model folder (`file` relative to it) on the given runtime. */
export async function openInNode(runtime: NodeRuntime, modelDir: string, file: string, vocabSize: number): Promise<OnnxModel> {
  const path = join(modelDir, file);
  if (runtime === "node-native-1t") return createOnnxModel(ortNode, { name: file, graph: path }, { vocabSize, sessionOptions: { intraOpNumThreads: 1, extra: NO_SPINNING } });
  if (runtime === "node-native") return createOnnxModel(ortNode, { name: file, graph: path }, { vocabSize, sessionOptions: { extra: NO_SPINNING } });
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.wasm.wasmPaths = ORT_WEB_DIST;
  ortWeb.env.logLevel = "error";
  return createOnnxModel(ortWeb, { name: file, graph: new Uint8Array(readFileSync(path)) }, { vocabSize, executionProviders: ["wasm"] });
}

/** CPU time of this process so far (every thread, user + system), ms. */
export const processCpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
