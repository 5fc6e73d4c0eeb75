/**
 * Node side of model loading: a model folder from a local path, an http(s) URL or a Hugging
 * Face repo id, run with onnxruntime-node. The browser does the same through workers/ with
 * onnxruntime-web.
 */
import { readFile, stat } from "node:fs/promises";
import { statSync } from "node:fs";
import { resolve, sep } from "node:path";
import * as ort from "onnxruntime-node";
import { ModelLoadError } from "../errors.ts";
import { catalogModel, DEFAULT_MODEL_ID } from "../model/catalog.ts";
import {
  checkFileName,
  fetchModelFiles,
  lazyKvModel,
  modelFolderFor,
  readModelMetadata,
  type FileProgress,
  type LazyModel,
  type ModelFiles,
  type ModelFolder,
} from "../model/model-folder.ts";
import { chooseGraph, kvGraphFile, resolveModelSource, type Dtype, type GraphVariant, type ModelSource } from "../model/model-source.ts";
import { loadGraphSource } from "../model/onnx-external-data.ts";
import { createOnnxModel, createOnnxWindowModel, type OnnxModel, type OnnxWindowModel } from "../model/onnx-model.ts";

export const DEFAULT_MODEL_PATH = resolve(import.meta.dirname, "../../public/models/dllm-tiny");

/** A local folder's files: sizes from stat, large files handed to onnxruntime as paths. */
export function localModelFiles(dir: string): ModelFiles {
  const root = resolve(dir);
  const pathOf = (file: string): string => {
    const path = resolve(root, checkFileName(file));
    if (!path.startsWith(root + sep)) throw new ModelLoadError(file, `is not inside ${root}`);
    return path;
  };
  const missing = (file: string, error: unknown): ModelLoadError => {
    const code = (error as NodeJS.ErrnoException).code;
    return new ModelLoadError(file, code === "ENOENT" ? `is missing from ${root}` : `cannot be read from ${root} (${(error as Error).message})`);
  };
  return {
    origin: root,
    async bytes(file, onProgress) {
      const path = pathOf(file);
      try {
        const size = (await stat(path)).size;
        const bytes = new Uint8Array(await readFile(path));
        onProgress?.({ file, loaded: size, total: size, fromCache: false });
        return bytes;
      } catch (error) {
        throw missing(file, error);
      }
    },
    async size(file) {
      const info = await stat(pathOf(file)).catch(() => undefined);
      return info?.isFile() ? info.size : undefined;
    },
    async externalData(file, onProgress) {
      const path = pathOf(file);
      try {
        const { size } = await stat(path);
        onProgress?.({ file, loaded: size, total: size, fromCache: false });
        return path;
      } catch (error) {
        throw missing(file, error);
      }
    },
  };
}

export interface LoadedModel extends ModelFolder {
  model: OnnxModel;
  /** The KV-cache graph, read and opened on first use (cache modes prefix and dual). */
  kvModel: LazyModel<OnnxWindowModel>;
  /** The graph that runs, and the dtype it was chosen for. */
  graph: GraphVariant;
  source: ModelSource;
}

export interface LoadModelOptions {
  /** The graph's dtype; default: the folder's manifest default for the CPU, else fp32, fp16, q4f16 (the first it has). */
  dtype?: Dtype;
  /** The hub for repo ids (default https://huggingface.co; the CLI reads DLLM_HUB_URL). */
  hubUrl?: string;
  onProgress?: (progress: FileProgress) => void;
}

/**
 * onnxruntime-node's worker threads busy-wait between operators by default; on a machine whose
 * cores are shared that doubles the CPU a forward pass takes and makes it slower (measured here:
 * 22 ms and 30 ms CPU per pass spinning, 16 ms and 15 ms CPU not).
 */
const NODE_SESSION_OPTIONS = { extra: { session: { intra_op: { allow_spinning: "0" } } } };

const isDirectory = (path: string): boolean => statSync(resolve(path), { throwIfNoEntry: false })?.isDirectory() === true;

/** What a model name means in Node: a catalog id, a folder that exists, a URL or a repo id (see resolveModelSource). */
export function nodeModelSource(location: string, hubUrl?: string): ModelSource {
  if (location === DEFAULT_MODEL_PATH || (location === DEFAULT_MODEL_ID && !isDirectory(location))) {
    // The npm package leaves the embedded model out: only a checkout of the repository has it.
    if (!isDirectory(DEFAULT_MODEL_PATH)) {
      throw new ModelLoadError(DEFAULT_MODEL_ID, "is not part of the npm package (it is the repository's public/models/dllm-tiny): give a model folder, its URL or a Hugging Face repo id");
    }
    return { kind: "path", path: DEFAULT_MODEL_PATH };
  }
  const source = resolveModelSource(location, { hubUrl, pathExists: isDirectory });
  if (source.kind === "path" && !isDirectory(source.path)) throw new ModelLoadError(location, "is not a model folder (no such directory)");
  return source;
}

/**
 * Loads a model given as a local folder, an http(s) URL of one, a Hugging Face repo id, or a
 * catalog id: reads its text files, picks the graph of `dtype`, opens it (external data beside
 * it), and derives the ids from the files and the graph's vocabulary.
 */
export async function loadModel(location: string = DEFAULT_MODEL_PATH, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const source = nodeModelSource(location, options.hubUrl);
  const files = source.kind === "path" ? localModelFiles(source.path) : fetchModelFiles(source.baseUrl);
  const meta = await readModelMetadata(files, options.onProgress);
  const known = source.kind === "hub" ? catalogModel(source.repo)?.variants : undefined;
  const graph = await chooseGraph(files, { dtype: options.dtype, backend: "cpu", source, known });
  const graphSource = await loadGraphSource(files, graph.file, options.onProgress);
  const configVocab = meta.config.vocab_size;
  const model = await createOnnxModel(ort, graphSource, {
    ...(typeof configVocab === "number" ? { vocabSize: configVocab } : {}),
    sessionOptions: NODE_SESSION_OPTIONS,
  });
  const folder = await modelFolderFor(meta, model);
  const vocabSize = folder.config.vocabSize;
  // A q8 graph gets its int8 KV-cache twin where the folder has one; looked up only when a run uses a cache.
  const kvModel = lazyKvModel(
    files,
    (onnx, name) => createOnnxWindowModel(ort, { name, graph: onnx }, { vocabSize, sessionOptions: NODE_SESSION_OPTIONS }),
    () => kvGraphFile(files, graph),
  );
  return { ...folder, model, kvModel, graph, source };
}
