/**
 * Node side of model loading: a model folder from a local path or an http(s) URL, run with
 * onnxruntime-node. The browser does the same through workers/ with onnxruntime-web.
 */
import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { ModelLoadError, OptionError } from "../errors.ts";
import { fetchModelFiles, lazyKvModel, loadModelFolder, type LazyModel, type ModelFiles, type ModelFolder } from "../model/model-folder.ts";
import { createOnnxModel, createOnnxWindowModel, type OnnxModel, type OnnxWindowModel } from "../model/onnx-model.ts";

export const DEFAULT_MODEL_PATH = resolve(import.meta.dirname, "../../public/models/dllm-tiny");

export function localModelFiles(dir: string): ModelFiles {
  return {
    origin: dir,
    async bytes(file, onProgress) {
      const path = join(dir, file);
      try {
        const size = (await stat(path)).size;
        const bytes = new Uint8Array(await readFile(path));
        onProgress?.({ file, loaded: size, total: size, fromCache: false });
        return bytes;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new ModelLoadError(file, code === "ENOENT" ? `is missing from ${dir}` : `cannot be read from ${dir} (${(error as Error).message})`);
      }
    },
  };
}

export interface LoadedModel extends ModelFolder {
  model: OnnxModel;
  /** The KV-cache graph, read and opened on first use (cache modes prefix and dual). */
  kvModel: LazyModel<OnnxWindowModel>;
}

/**
 * onnxruntime-node's worker threads busy-wait between operators by default; on a machine whose
 * cores are shared that doubles the CPU a forward pass takes and makes it slower (measured here:
 * 22 ms and 30 ms CPU per pass spinning, 16 ms and 15 ms CPU not).
 */
const NODE_SESSION_OPTIONS = { extra: { session: { intra_op: { allow_spinning: "0" } } } };

/** Loads a model folder given as a local path or an http(s) URL. */
export async function loadModel(location: string = DEFAULT_MODEL_PATH): Promise<LoadedModel> {
  if (location.trim() === "") throw new OptionError("model", "must be a model folder path or an http(s) URL, got an empty string");
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(location);
  if (!isUrl && !(await stat(resolve(location)).then((s) => s.isDirectory(), () => false))) {
    throw new ModelLoadError(location, "is not a model folder (no such directory)");
  }
  const files = isUrl ? fetchModelFiles(location) : localModelFiles(resolve(location));
  const folder = await loadModelFolder(files);
  const model = await createOnnxModel(ort, folder.onnx, { vocabSize: folder.config.vocabSize, sessionOptions: NODE_SESSION_OPTIONS });
  const kvModel = lazyKvModel(files, (onnx) => createOnnxWindowModel(ort, onnx, { vocabSize: folder.config.vocabSize, sessionOptions: NODE_SESSION_OPTIONS }));
  return { ...folder, model, kvModel };
}
