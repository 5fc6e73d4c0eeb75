/**
 * A Hugging Face-style model folder: `config.json`, `tokenizer.json`, `tokenizer_config.json`,
 * `onnx/model.onnx`. Where the bytes come from (fetch, Cache Storage, the file system) is a
 * `ModelFiles` passed in; this module reads and checks what they contain.
 */
import { ModelLoadError } from "../errors.ts";
import { createTextCodec, type TextCodec } from "./tokenizer.ts";

export const MODEL_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"] as const;
/** Optional: the KV-cache graph (docs/kv-cache.md), fetched only when a cache mode is used. */
export const KV_MODEL_FILE = "onnx/model_kv.onnx";
export type ModelFileName = (typeof MODEL_FILES)[number] | typeof KV_MODEL_FILE;

export interface ModelConfig {
  vocabSize: number;
  maskTokenId: number;
  eosTokenId: number;
  padTokenId: number;
  /** Prompt plus generation may not exceed this many tokens. */
  maxSequenceLength: number;
  /** Default AdaBlock delimiters (ids); the engine's `delimiters` option overrides them. */
  delimiterTokenIds: number[];
}

export interface FileProgress {
  file: ModelFileName;
  loaded: number;
  /** Undefined when the server sends no length. */
  total: number | undefined;
  fromCache: boolean;
}

export interface ModelFiles {
  /** Human-readable origin, for messages: a URL or a path. */
  readonly origin: string;
  bytes(file: ModelFileName, onProgress?: (progress: FileProgress) => void): Promise<Uint8Array>;
}

export interface ModelFolder {
  config: ModelConfig;
  codec: TextCodec;
  onnx: Uint8Array;
}

function requireInt(json: Record<string, unknown>, key: string, min: number): number {
  const value = json[key];
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ModelLoadError("config.json", `"${key}" must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function parseModelConfig(json: unknown): ModelConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ModelLoadError("config.json", "must be a JSON object");
  }
  const record = json as Record<string, unknown>;
  const vocabSize = requireInt(record, "vocab_size", 2);
  const ids = ["mask_token_id", "eos_token_id", "pad_token_id"].map((key) => {
    const id = requireInt(record, key, 0);
    if (id >= vocabSize) throw new ModelLoadError("config.json", `"${key}" ${id} is outside the vocabulary (size ${vocabSize})`);
    return id;
  });
  const delimiters = record.delimiter_token_ids ?? [];
  if (!Array.isArray(delimiters) || !delimiters.every((id) => Number.isInteger(id) && id >= 0 && id < vocabSize)) {
    throw new ModelLoadError("config.json", `"delimiter_token_ids" must be a list of token ids below ${vocabSize}`);
  }
  return {
    vocabSize,
    maskTokenId: ids[0]!,
    eosTokenId: ids[1]!,
    padTokenId: ids[2]!,
    maxSequenceLength: requireInt(record, "max_sequence_length", 2),
    delimiterTokenIds: delimiters as number[],
  };
}

function parseJson(file: ModelFileName, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ModelLoadError(file, `is not valid JSON (${(error as Error).message})`);
  }
}

/** Reads and checks every file of the folder; the ONNX graph itself is checked when a session opens it. */
export async function loadModelFolder(files: ModelFiles, onProgress?: (progress: FileProgress) => void): Promise<ModelFolder> {
  const [configBytes, tokenizerBytes, tokenizerConfigBytes, onnx] = await Promise.all(
    MODEL_FILES.map((file) => files.bytes(file, onProgress)),
  );
  const config = parseModelConfig(parseJson("config.json", configBytes!));
  let codec: TextCodec;
  try {
    codec = createTextCodec(parseJson("tokenizer.json", tokenizerBytes!) as object, parseJson("tokenizer_config.json", tokenizerConfigBytes!) as object);
  } catch (error) {
    if (error instanceof ModelLoadError) throw error;
    throw new ModelLoadError("tokenizer.json", `cannot be loaded (${(error as Error).message})`);
  }
  if (codec.vocabSize > config.vocabSize) {
    throw new ModelLoadError("tokenizer.json", `has ${codec.vocabSize} tokens but config.json says vocab_size ${config.vocabSize}`);
  }
  if (onnx!.byteLength === 0) throw new ModelLoadError("onnx/model.onnx", "is empty");
  return { config, codec, onnx: onnx! };
}

/** Model files over HTTP(S), streamed so large files report progress. */
export function fetchModelFiles(baseUrl: string, fetchImpl: typeof fetch = fetch): ModelFiles {
  let base: URL;
  try {
    base = new URL(baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`, globalThis.location?.href);
  } catch {
    throw new ModelLoadError(baseUrl, "is not a valid URL");
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new ModelLoadError(baseUrl, `must be an http(s) URL, got ${base.protocol}`);
  }
  return {
    origin: base.href,
    async bytes(file, onProgress) {
      const url = new URL(file, base).href;
      let response: Response;
      try {
        response = await fetchImpl(url);
      } catch (error) {
        throw new ModelLoadError(file, `could not be fetched from ${url} (${(error as Error).message})`);
      }
      if (!response.ok) throw new ModelLoadError(file, `could not be fetched from ${url}: HTTP ${response.status}`);
      // Single-page hosts answer a missing file with their index.html.
      if ((response.headers.get("content-type") ?? "").startsWith("text/html")) {
        throw new ModelLoadError(file, `was not found at ${url} (the server answered with an HTML page)`);
      }
      return readWithProgress(file, response, onProgress);
    },
  };
}

export async function readWithProgress(
  file: ModelFileName,
  response: Response,
  onProgress?: (progress: FileProgress) => void,
  fromCache = false,
): Promise<Uint8Array> {
  // A compressed response's content-length counts encoded bytes, not the ones we read.
  const encoding = response.headers.get("content-encoding");
  const header = encoding && encoding !== "identity" ? null : response.headers.get("content-length");
  const total = header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress?.({ file, loaded: bytes.byteLength, total: bytes.byteLength, fromCache });
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress?.({ file, loaded, total, fromCache });
  }
  if (total !== undefined && loaded !== total) {
    throw new ModelLoadError(file, `was truncated: got ${loaded} of ${total} bytes`);
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  onProgress?.({ file, loaded, total: total ?? loaded, fromCache });
  return bytes;
}

/** A model opened on first call (and again after a failed attempt); dispose() releases it if it was. */
export interface LazyModel<T extends { dispose(): Promise<void> }> {
  (): Promise<T>;
  /** The model once opened, else undefined (diagnostics read it without opening it). */
  readonly current: T | undefined;
  dispose(): Promise<void>;
}

/** The folder's KV-cache graph, fetched and opened only when first asked for: it is as large as the model. */
export function lazyKvModel<T extends { dispose(): Promise<void> }>(files: ModelFiles, open: (onnx: Uint8Array) => Promise<T>): LazyModel<T> {
  let opened: Promise<T> | undefined;
  let current: T | undefined;
  const get = (): Promise<T> => {
    if (!opened) {
      const attempt = files.bytes(KV_MODEL_FILE).then(open);
      opened = attempt;
      attempt.then(
        (model) => {
          if (opened === attempt) current = model;
        },
        () => {
          if (opened === attempt) opened = undefined;
        },
      );
    }
    return opened;
  };
  return Object.defineProperties(get, {
    current: { get: () => current },
    dispose: {
      value: async () => {
        const previous = opened;
        opened = undefined;
        current = undefined;
        await previous?.then((model) => model.dispose(), () => undefined);
      },
    },
  }) as LazyModel<T>;
}
