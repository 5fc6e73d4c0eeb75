/**
 * The shipped model opened in Node on both runtimes: onnxruntime-node (native, its default
 * thread count) and onnxruntime-web's WASM backend (one thread), through the project's one
 * onnxruntime module.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as ortNode from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";
import { createOnnxModel, type OnnxModel } from "../../src/model/onnx-model.ts";

const ORT_WEB_DIST = resolve(import.meta.dirname, "../../node_modules/onnxruntime-web/dist") + "/";

export type NodeRuntime = "node-native" | "node-wasm";

export async function openInNode(runtime: NodeRuntime, modelDir: string, vocabSize: number): Promise<OnnxModel> {
  const bytes = new Uint8Array(readFileSync(join(modelDir, "onnx/model.onnx")));
  if (runtime === "node-native") return createOnnxModel(ortNode, bytes, { vocabSize });
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.wasm.wasmPaths = ORT_WEB_DIST;
  ortWeb.env.logLevel = "error";
  return createOnnxModel(ortWeb, bytes, { vocabSize, executionProviders: ["wasm"] });
}
