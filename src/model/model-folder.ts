/**
 * A Hugging Face-style model folder: `config.json`, `tokenizer.json`, `tokenizer_config.json`,
 * optionally `generation_config.json`, and ONNX graphs under `onnx/`. Where the bytes come from
 * (fetch, Cache Storage, the file system) is a `ModelFiles` passed in; this module reads and
 * checks what they contain, and derives the model's token ids from the files real exports ship
 * (our own config.json fields override them).
 */
import { ModelLoadError } from "../errors.ts";
import { createTextCodec, type TextCodec } from "./tokenizer.ts";

/** The text files every folder has; `generation_config.json` is read too when present. */
export const METADATA_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json"] as const;
export const GENERATION_CONFIG_FILE = "generation_config.json";
/** Optional: the KV-cache graph (docs/kv-cache.md), fetched only when a cache mode is used. */
export const KV_MODEL_FILE = "onnx/model_kv.onnx";
/** A file of the folder: a relative path with "/" separators ("onnx/model_fp16.onnx.data"). */
export type ModelFileName = string;

export interface ModelConfig {
  /** Rows of the graph's logits (the graph's output, else config.json's `vocab_size`). */
  vocabSize: number;
  maskTokenId: number;
  /** The first of `eosTokenIds`: the end-of-answer token. */
  eosTokenId: number;
  /**
   * Every id that ends an answer, `eosTokenId` first (Qwen3: `<|im_end|>`, `<|endoftext|>`).
   * Always set by loading; a hand-made config without it means `[eosTokenId]`.
   */
  eosTokenIds?: number[];
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

/**
 * Where a model folder's files come from. Implementations: `fetchModelFiles` (http(s), this
 * module), `localModelFiles` (Node, a directory: src/node/model.ts) and `cachedModelFiles`
 * (browser, Cache Storage: workers/cached-files.ts). Files are named by their path relative to
 * the folder, "/"-separated (`config.json`, `onnx/model_q4f16.onnx`,
 * `onnx/model_q4f16.onnx.data`); a name never starts with "/" and never holds "..".
 */
export interface ModelFiles {
  /** Human-readable origin, for messages: a URL or a path. */
  readonly origin: string;
  /**
   * The whole file in memory. Rejects with a ModelLoadError naming the file when it is missing,
   * unreachable or truncated. Progress reports as it arrives (`total` undefined when unknown),
   * and once more at the end with `loaded === total`.
   */
  bytes(file: ModelFileName, onProgress?: (progress: FileProgress) => void): Promise<Uint8Array>;
  /**
   * The file's size in bytes without reading it (HTTP HEAD, stat, a cache entry's recorded
   * length), or undefined when the folder does not have it (404, no such file). Used to probe
   * which graphs a folder has, since HTTP cannot list a folder; a size the server does not send
   * may be given as 0. Rejects only when the answer cannot be known (network down).
   */
  size(file: ModelFileName): Promise<number | undefined>;
  /**
   * A large file (a graph, or its external data of up to gigabytes) as onnxruntime takes it:
   * where the runtime can read the file itself (Node, local folder) its absolute path, which
   * costs no memory; else its bytes, fetched like `bytes` (the browser may resume an
   * interrupted download with Range requests and keep each file as its own cache entry). The
   * bytes are never concatenated with any other file. Errors as for `bytes`.
   */
  externalData(file: ModelFileName, onProgress?: (progress: FileProgress) => void): Promise<Uint8Array | string>;
}

/** The folder's text files, parsed. */
export interface ModelMetadata {
  config: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  /** `generation_config.json` when the folder has one. */
  generationConfig: Record<string, unknown> | undefined;
  codec: TextCodec;
}

export interface ModelFolder {
  config: ModelConfig;
  codec: TextCodec;
  /** tokenizer_config.json's `chat_template`, when it has one (a string, or the one named "default"). */
  chatTemplate?: string;
  /** tokenizer_config.json's `bos_token` and `eos_token` as text, which chat templates may print. */
  bosToken?: string;
  eosToken?: string;
  /** Ids of the tokenizer's special tokens (never shown as answer text). */
  specialTokenIds: number[];
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalInt(file: string, json: Json, key: string, min: number): number | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ModelLoadError(file, `"${key}" must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function requireInt(json: Json, key: string, min: number): number {
  const value = optionalInt("config.json", json, key, min);
  if (value === undefined) throw new ModelLoadError("config.json", `"${key}" must be an integer >= ${min}, got undefined`);
  return value;
}

/** `eos_token_id` as a number or a list of numbers (generation_config.json, config.json). */
function idList(file: string, json: Json | undefined, key: string): number[] {
  const value = json?.[key];
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((id) => Number.isInteger(id) && id >= 0)) {
    throw new ModelLoadError(file, `"${key}" must be a token id or a list of them, got ${JSON.stringify(value)}`);
  }
  return list as number[];
}

function checkIds(file: string, key: string, ids: readonly number[], vocabSize: number): void {
  for (const id of ids) {
    if (id >= vocabSize) throw new ModelLoadError(file, `"${key}" ${id} is outside the vocabulary (size ${vocabSize})`);
  }
}

/**
 * Our own config.json (dllm-tiny's layout, every field present): the ids exactly as written.
 * Real exports, whose ids live in the tokenizer files, go through `deriveModelConfig`.
 */
export function parseModelConfig(json: unknown): ModelConfig {
  if (!isRecord(json)) throw new ModelLoadError("config.json", "must be a JSON object");
  const vocabSize = requireInt(json, "vocab_size", 2);
  const ids = ["mask_token_id", "eos_token_id", "pad_token_id"].map((key) => {
    const id = requireInt(json, key, 0);
    checkIds("config.json", key, [id], vocabSize);
    return id;
  });
  return {
    vocabSize,
    maskTokenId: ids[0]!,
    eosTokenId: ids[1]!,
    eosTokenIds: [ids[1]!],
    padTokenId: ids[2]!,
    maxSequenceLength: requireInt(json, "max_sequence_length", 2),
    delimiterTokenIds: delimiterList(json, vocabSize) ?? [],
  };
}

function delimiterList(config: Json, vocabSize: number): number[] | undefined {
  const delimiters = config.delimiter_token_ids;
  if (delimiters === undefined) return undefined;
  if (!Array.isArray(delimiters) || !delimiters.every((id) => Number.isInteger(id) && id >= 0 && id < vocabSize)) {
    throw new ModelLoadError("config.json", `"delimiter_token_ids" must be a list of token ids below ${vocabSize}`);
  }
  return delimiters as number[];
}

/** A token named in tokenizer_config.json (`"<|mask|>"` or `{ "content": "<|mask|>" }`). */
export function namedToken(tokenizerConfig: Json, key: string): string | undefined {
  const value = tokenizerConfig[key];
  if (typeof value === "string") return value;
  if (isRecord(value) && typeof value.content === "string") return value.content;
  return undefined;
}

/** The id of tokenizer_config.json's `key` token, undefined when it names none; a token the tokenizer lacks is an error. */
function tokenizerId(meta: ModelMetadata, key: string): number | undefined {
  const token = namedToken(meta.tokenizerConfig, key);
  if (token === undefined) return undefined;
  const id = meta.codec.idOf(token);
  if (id === undefined) throw new ModelLoadError("tokenizer_config.json", `"${key}" ${JSON.stringify(token)} is not in the vocabulary of tokenizer.json`);
  return id;
}

/** One id from two places: either may be missing; both given and different is an error. */
function agree(key: string, fromConfig: number | undefined, tokenizerKey: string, fromTokenizer: number | undefined): number | undefined {
  if (fromConfig !== undefined && fromTokenizer !== undefined && fromConfig !== fromTokenizer) {
    throw new ModelLoadError("config.json", `"${key}" ${fromConfig} disagrees with tokenizer_config.json's "${tokenizerKey}" (id ${fromTokenizer})`);
  }
  return fromConfig ?? fromTokenizer;
}

/**
 * The model's ids and sizes from the folder's files, as real exports ship them:
 * - mask: tokenizer_config.json `mask_token` (looked up in the tokenizer), else config.json `mask_token_id`;
 * - EOS: tokenizer_config.json `eos_token` first, then generation_config.json's and config.json's
 *   `eos_token_id` (a number or a list), all kept;
 * - pad: config.json `pad_token_id`, else tokenizer_config.json `pad_token`, else the first EOS;
 * - vocabulary: the graph's logits width (`graphVocabSize`), else config.json `vocab_size`;
 * - context: config.json `max_sequence_length` (ours), else `max_position_embeddings`;
 * - AdaBlock delimiters: config.json `delimiter_token_ids`, else every token whose text holds a newline.
 * Where config.json and the tokenizer both name an id they must agree.
 */
export function deriveModelConfig(meta: ModelMetadata, graphVocabSize?: number): ModelConfig {
  const { config, codec } = meta;
  const configVocab = optionalInt("config.json", config, "vocab_size", 2);
  if (graphVocabSize !== undefined && configVocab !== undefined && configVocab !== graphVocabSize) {
    throw new ModelLoadError("config.json", `"vocab_size" ${configVocab} disagrees with the graph's logits width ${graphVocabSize}`);
  }
  const vocabSize = graphVocabSize ?? configVocab;
  if (vocabSize === undefined) throw new ModelLoadError("config.json", `"vocab_size" must be an integer >= 2, got undefined`);
  if (codec.vocabSize > vocabSize) {
    throw new ModelLoadError("tokenizer.json", `has ids up to ${codec.vocabSize - 1} but the model's vocabulary has ${vocabSize} rows`);
  }

  const mask = agree("mask_token_id", optionalInt("config.json", config, "mask_token_id", 0), "mask_token", tokenizerId(meta, "mask_token"));
  if (mask === undefined) {
    throw new ModelLoadError("tokenizer_config.json", `names no "mask_token" and config.json has no "mask_token_id": a diffusion model needs one`);
  }
  const eosIds = [
    ...[tokenizerId(meta, "eos_token")].filter((id) => id !== undefined),
    ...idList(GENERATION_CONFIG_FILE, meta.generationConfig, "eos_token_id"),
    ...idList("config.json", config, "eos_token_id"),
  ];
  const eosTokenIds = [...new Set(eosIds)];
  if (eosTokenIds.length === 0) throw new ModelLoadError("config.json", `has no "eos_token_id" and tokenizer_config.json names no "eos_token"`);
  const pad = agree("pad_token_id", optionalInt("config.json", config, "pad_token_id", 0), "pad_token", tokenizerId(meta, "pad_token")) ?? eosTokenIds[0]!;
  checkIds("config.json", "mask_token_id", [mask], vocabSize);
  checkIds("config.json", "eos_token_id", eosTokenIds, vocabSize);
  checkIds("config.json", "pad_token_id", [pad], vocabSize);

  const context = optionalInt("config.json", config, "max_sequence_length", 2) ?? optionalInt("config.json", config, "max_position_embeddings", 2);
  if (context === undefined) throw new ModelLoadError("config.json", `has neither "max_sequence_length" nor "max_position_embeddings"`);
  return {
    vocabSize,
    maskTokenId: mask,
    eosTokenId: eosTokenIds[0]!,
    eosTokenIds,
    padTokenId: pad,
    maxSequenceLength: context,
    delimiterTokenIds: delimiterList(config, vocabSize) ?? codec.newlineTokenIds(),
  };
}

/** tokenizer_config.json's chat template: a string, or a list of named templates whose "default" is used. */
export function chatTemplateOf(tokenizerConfig: Json): string | undefined {
  const template = tokenizerConfig.chat_template;
  if (typeof template === "string") return template;
  if (Array.isArray(template)) {
    const named = template.find((t) => isRecord(t) && t.name === "default") as Json | undefined;
    return typeof named?.template === "string" ? named.template : undefined;
  }
  return undefined;
}

function parseJson(file: ModelFileName, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ModelLoadError(file, `is not valid JSON (${(error as Error).message})`);
  }
}

function parseObject(file: ModelFileName, bytes: Uint8Array): Json {
  const json = parseJson(file, bytes);
  if (!isRecord(json)) throw new ModelLoadError(file, "must be a JSON object");
  return json;
}

/** Reads and parses config.json, the tokenizer files and (when present) generation_config.json. */
export async function readModelMetadata(files: ModelFiles, onProgress?: (progress: FileProgress) => void): Promise<ModelMetadata> {
  const settled = await Promise.allSettled([
    ...METADATA_FILES.map((file) => files.bytes(file, onProgress)),
    files.size(GENERATION_CONFIG_FILE).then((size) => (size === undefined ? undefined : files.bytes(GENERATION_CONFIG_FILE, onProgress))),
  ]);
  // The first failure in file order, so a folder that is not there is reported by its config.json.
  const failed = settled.find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
  const [configBytes, tokenizerBytes, tokenizerConfigBytes, generationBytes] = settled.map((result) => (result as PromiseFulfilledResult<Uint8Array | undefined>).value);
  const config = parseObject("config.json", configBytes!);
  const tokenizerConfig = parseObject("tokenizer_config.json", tokenizerConfigBytes!);
  const tokenizerJson = parseObject("tokenizer.json", tokenizerBytes!);
  let codec: TextCodec;
  try {
    codec = createTextCodec(tokenizerJson, tokenizerConfig);
  } catch (error) {
    if (error instanceof ModelLoadError) throw error;
    throw new ModelLoadError("tokenizer.json", `cannot be loaded (${(error as Error).message})`);
  }
  const generationConfig = generationBytes === undefined ? undefined : parseObject(GENERATION_CONFIG_FILE, generationBytes);
  return { config, tokenizerConfig, generationConfig, codec };
}

/** The folder's text side: ids and sizes (see deriveModelConfig), the tokenizer, the chat template. */
export function modelFolderOf(meta: ModelMetadata, graphVocabSize?: number): ModelFolder {
  const config = deriveModelConfig(meta, graphVocabSize);
  const chatTemplate = chatTemplateOf(meta.tokenizerConfig);
  const folder: ModelFolder = { config, codec: meta.codec, specialTokenIds: [...meta.codec.specialTokenIds] };
  const bosToken = namedToken(meta.tokenizerConfig, "bos_token");
  const eosToken = namedToken(meta.tokenizerConfig, "eos_token");
  if (chatTemplate !== undefined) folder.chatTemplate = chatTemplate;
  if (bosToken !== undefined) folder.bosToken = bosToken;
  if (eosToken !== undefined) folder.eosToken = eosToken;
  return folder;
}

/**
 * The folder's text side for a graph already opened: the vocabulary is the graph's. Files that
 * disagree with the graph (a mask id past its vocabulary) release it before the error is thrown.
 */
export async function modelFolderFor(meta: ModelMetadata, model: { readonly vocabSize: number; dispose(): Promise<void> }): Promise<ModelFolder> {
  try {
    return modelFolderOf(meta, model.vocabSize);
  } catch (error) {
    await model.dispose();
    throw error;
  }
}

/** A GET as the global fetch does it (tests pass a double). */
export type HttpGet = (url: string) => Promise<Response>;

/** A JSON answer of the hub's API (its tree listing), or undefined on any failure: the listing is only a shortcut. */
export async function getHubJson(url: string, http: HttpGet = (target) => fetch(target)): Promise<unknown> {
  try {
    const response = await http(url);
    return response.ok ? ((await response.json()) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/** A file name as ModelFiles takes it: relative, "/"-separated, never leaving the folder. */
export function checkFileName(file: ModelFileName): ModelFileName {
  if (file === "" || file.startsWith("/") || file.includes("\\") || file.split("/").some((part) => part === ".." || part === "")) {
    throw new ModelLoadError(file, "is not a file name inside the model folder");
  }
  return file;
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
  const urlOf = (file: ModelFileName): string => new URL(checkFileName(file), base).href;
  const bytes = async (file: ModelFileName, onProgress?: (progress: FileProgress) => void): Promise<Uint8Array> => {
    const url = urlOf(file);
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
  };
  return {
    origin: base.href,
    bytes,
    async size(file) {
      const url = urlOf(file);
      let response: Response;
      try {
        response = await fetchImpl(url, { method: "HEAD" });
      } catch (error) {
        throw new ModelLoadError(file, `could not be checked at ${url} (${(error as Error).message})`);
      }
      // The hub answers 401 for files of repos that do not exist (or are gated); a 5xx says nothing.
      if (response.status >= 500) throw new ModelLoadError(file, `could not be checked at ${url}: HTTP ${response.status}`);
      if (!response.ok || (response.headers.get("content-type") ?? "").startsWith("text/html")) return undefined;
      const length = response.headers.get("x-linked-size") ?? response.headers.get("content-length");
      return length !== null && /^\d+$/.test(length) ? Number(length) : 0;
    },
    externalData: bytes,
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

/**
 * The folder's KV-cache graph, fetched and opened only when first asked for: it is as large as
 * the model. `file` (default onnx/model_kv.onnx; see kvGraphFile for the dtype's twin) may be
 * chosen by a function, called only when a cache is first used.
 */
export function lazyKvModel<T extends { dispose(): Promise<void> }>(
  files: ModelFiles,
  open: (onnx: Uint8Array, file: ModelFileName) => Promise<T>,
  file: ModelFileName | (() => Promise<ModelFileName>) = KV_MODEL_FILE,
): LazyModel<T> {
  let opened: Promise<T> | undefined;
  let current: T | undefined;
  const get = (): Promise<T> => {
    if (!opened) {
      // The file is found once per attempt and handed to `open` with its bytes.
      const attempt = (typeof file === "string" ? Promise.resolve(file) : file()).then(async (name) => open(await files.bytes(name), name));
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
