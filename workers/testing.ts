/**
 * For the worker's tests in Node: onnxruntime-web finds its WASM in node_modules (there is no
 * bundler to place it), and the shipped model folders are served over HTTP as the page gets them.
 */
import { resolve } from "node:path";
import * as ortWeb from "onnxruntime-web";
import { DEFAULT_MODEL_PATH } from "../src/node/model.ts";
import { serveFolder, type ServedFolder } from "../src/node/serve-folder.ts";

export async function serveShippedModels(): Promise<ServedFolder> {
  ortWeb.env.wasm.wasmPaths = resolve(import.meta.dirname, "../node_modules/onnxruntime-web/dist") + "/";
  return serveFolder(resolve(DEFAULT_MODEL_PATH, ".."));
}
