/**
 * Where a model comes from and which of its graphs to run. A model is named by an http(s) URL
 * of its folder, a local path (Node), or a Hugging Face repo id `owner/name`, which resolves to
 * `<hub>/owner/name/resolve/main/`. HTTP cannot list a folder, so the graph for a dtype is found
 * from, in order: the folder's own manifest `onnx/variants.json`; a list known beforehand (the
 * catalog); the hub's listing endpoint `<hub>/api/models/owner/name/tree/main/onnx`; probing the
 * usual file names with `size()`.
 */
import { ModelLoadError, OptionError } from "../errors.ts";
import { checkFileName, getHubJson, KV_MODEL_FILE, type HttpGet, type ModelFiles } from "./model-folder.ts";

export const DEFAULT_HUB_URL = "https://huggingface.co";

export type ModelSource =
  | { kind: "url"; baseUrl: string }
  | { kind: "path"; path: string }
  | { kind: "hub"; repo: string; baseUrl: string; hubUrl: string };

export interface SourceOptions {
  /** The hub's base URL (default https://huggingface.co); tests point it at a local server. */
  hubUrl?: string;
  /**
   * Node: whether a local folder of this name exists (it then wins over a repo id), and the
   * sign that paths are allowed at all. Without it (the browser) a path-like name is a URL
   * relative to the page.
   */
  pathExists?: (path: string) => boolean;
}

/** owner/name as the hub allows them: letters, digits, "-", "_", "."; not starting with "-" or "."; no "--" or "..". */
const REPO_ID = /^[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95}$/;

export function hubBaseUrl(hubUrl: string | undefined): string {
  const text = hubUrl ?? DEFAULT_HUB_URL;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OptionError("hubUrl", `must be an http(s) URL, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new OptionError("hubUrl", `must be an http(s) URL, got ${JSON.stringify(text)}`);
  return url.href.replace(/\/+$/, "");
}

export function isRepoId(name: string): boolean {
  return REPO_ID.test(name) && !/--|\.\.|[-.]$|[-.]\//.test(name);
}

/**
 * What a model name means. A name with a scheme is a URL (http(s) only); `/x`, `./x`, `../x`,
 * `~/x`, `C:\x` are paths; a folder that exists (Node) is a path; `owner/name` is a hub repo.
 */
export function resolveModelSource(name: string, options: SourceOptions = {}): ModelSource {
  if (name.trim() === "") throw new OptionError("model", "must be a model folder path, an http(s) URL or a Hugging Face repo id, got an empty string");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(name)) {
    if (!/^https?:\/\//i.test(name)) throw new ModelLoadError(name, `must be an http(s) URL, got ${name.slice(0, name.indexOf(":") + 1)}`);
    return { kind: "url", baseUrl: name };
  }
  const pathLike = /^(\.{1,2}([\\/]|$)|[\\/~]|[a-z]:[\\/])/i.test(name) || name.includes("\\");
  const { pathExists } = options;
  if (pathExists && (pathLike || pathExists(name))) return { kind: "path", path: name };
  if (!pathLike && isRepoId(name)) {
    const hubUrl = hubBaseUrl(options.hubUrl);
    return { kind: "hub", repo: name, baseUrl: `${hubUrl}/${name}/resolve/main/`, hubUrl };
  }
  if (!pathExists) return { kind: "url", baseUrl: name };
  throw new ModelLoadError(name, "is neither a model folder (no such directory), an http(s) URL, nor a Hugging Face repo id (owner/name)");
}

export const DTYPES = ["fp32", "fp16", "q4f16", "q8", "q4"] as const;
export type Dtype = (typeof DTYPES)[number];
/** Where a graph runs: the browser's backends, or onnxruntime-node's CPU. */
export type GraphBackend = "webgpu" | "wasm" | "cpu";

export function parseDtype(text: string): Dtype {
  if (!(DTYPES as readonly string[]).includes(text)) throw new OptionError("dtype", `must be one of ${DTYPES.join(", ")}, got ${text}`);
  return text as Dtype;
}

export interface GraphVariant {
  dtype: Dtype;
  /** The graph's path in the folder ("onnx/model_q4f16.onnx"). */
  file: string;
  /** Download size, graph plus external data, when known (approximate from a hub listing). */
  bytes?: number;
  /** Backends it is known to run on; absent = not stated. */
  backends?: GraphBackend[];
}

/**
 * `onnx/variants.json`, our manifest, which a folder may ship so no probing is needed:
 * ```json
 * { "default": { "webgpu": "fp16", "wasm": "q4f16", "cpu": "fp32" },
 *   "variants": [ { "dtype": "fp16", "file": "onnx/model_fp16_fused.onnx", "bytes": 1503238553, "backends": ["webgpu", "cpu"] } ] }
 * ```
 * `file` is relative to the folder; `bytes` counts the graph and its external data; `default`
 * and `backends` are optional.
 */
export interface VariantManifest {
  default?: Partial<Record<GraphBackend, Dtype>>;
  variants: GraphVariant[];
}

export const VARIANTS_FILE = "onnx/variants.json";
const BACKENDS: readonly GraphBackend[] = ["webgpu", "wasm", "cpu"];

/** The usual file names of each dtype under onnx/, in the order they are tried. */
export const GRAPH_CANDIDATES: Record<Dtype, readonly string[]> = {
  fp32: ["model.onnx"],
  fp16: ["model_fp16.onnx", "model_fp16_fused.onnx"],
  q4f16: ["model_q4f16.onnx", "model_q4f16_rtn_sym.onnx"],
  q8: ["model_quantized.onnx", "model_int8.onnx", "model_q8.onnx"],
  q4: ["model_q4.onnx"],
};

/** Names a listing may show beyond the candidates (any model_fp16*.onnx, ...). */
const GRAPH_PATTERNS: Record<Dtype, RegExp> = {
  fp32: /^model\.onnx$/,
  fp16: /^model_fp16[\w.-]*\.onnx$/,
  q4f16: /^model_q4f16[\w.-]*\.onnx$/,
  q8: /^model_(quantized|int8|q8)\.onnx$/,
  q4: /^model_q4(?!f16)[\w.-]*\.onnx$/,
};

/** The dtype of a graph file name under onnx/, or undefined for another file (model_kv.onnx, data). */
export function dtypeOfFile(file: string): Dtype | undefined {
  const base = file.slice(file.lastIndexOf("/") + 1);
  return DTYPES.find((dtype) => GRAPH_PATTERNS[dtype].test(base));
}

export function parseVariantManifest(json: unknown): VariantManifest {
  const fail = (message: string): never => {
    throw new ModelLoadError(VARIANTS_FILE, message);
  };
  if (typeof json !== "object" || json === null || Array.isArray(json)) return fail("must be a JSON object");
  const record = json as Record<string, unknown>;
  if (!Array.isArray(record.variants) || record.variants.length === 0) return fail(`"variants" must be a non-empty list`);
  const variants = record.variants.map((entry: unknown, i): GraphVariant => {
    const v = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
    if (!(DTYPES as readonly unknown[]).includes(v.dtype)) fail(`variants[${i}].dtype must be one of ${DTYPES.join(", ")}, got ${JSON.stringify(v.dtype)}`);
    if (typeof v.file !== "string" || !v.file.endsWith(".onnx")) fail(`variants[${i}].file must be the path of an .onnx file, got ${JSON.stringify(v.file)}`);
    checkFileName(v.file as string);
    if (v.bytes !== undefined && !(Number.isInteger(v.bytes) && (v.bytes as number) >= 0)) fail(`variants[${i}].bytes must be a byte count, got ${JSON.stringify(v.bytes)}`);
    if (v.backends !== undefined && !(Array.isArray(v.backends) && v.backends.every((b) => BACKENDS.includes(b)))) {
      fail(`variants[${i}].backends must list some of ${BACKENDS.join(", ")}, got ${JSON.stringify(v.backends)}`);
    }
    const variant: GraphVariant = { dtype: v.dtype as Dtype, file: v.file as string };
    if (v.bytes !== undefined) variant.bytes = v.bytes as number;
    if (v.backends !== undefined) variant.backends = v.backends as GraphBackend[];
    return variant;
  });
  const manifest: VariantManifest = { variants };
  if (record.default !== undefined) {
    const defaults = record.default;
    if (typeof defaults !== "object" || defaults === null || Array.isArray(defaults)) return fail(`"default" must map backends to dtypes`);
    for (const [backend, dtype] of Object.entries(defaults)) {
      if (!BACKENDS.includes(backend as GraphBackend)) fail(`"default" names an unknown backend ${JSON.stringify(backend)} (${BACKENDS.join(", ")})`);
      if (!variants.some((v) => v.dtype === dtype)) fail(`"default".${backend} is ${JSON.stringify(dtype)}, which no variant has`);
    }
    manifest.default = defaults as Partial<Record<GraphBackend, Dtype>>;
  }
  return manifest;
}

/** One entry of the hub's tree listing: `{ type: "file", path: "onnx/model.onnx", size: 123 }`. */
interface ListingEntry {
  type: string;
  path: string;
  size?: number;
}

/** The graphs a hub listing of onnx/ shows, each with its bytes (the graph and the files named after it, e.g. `.onnx.data`). */
export function variantsFromListing(entries: readonly ListingEntry[]): GraphVariant[] {
  const files = entries.filter((e) => e.type === "file" && typeof e.path === "string");
  const variants: GraphVariant[] = [];
  for (const dtype of DTYPES) {
    const graphs = files.filter((e) => dtypeOfFile(e.path) === dtype && e.path.startsWith("onnx/") && !e.path.slice(5).includes("/"));
    const rank = (path: string): number => {
      const i = GRAPH_CANDIDATES[dtype].indexOf(path.slice(5));
      return i < 0 ? GRAPH_CANDIDATES[dtype].length : i;
    };
    graphs.sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
    for (const graph of graphs) {
      const bytes = files.filter((e) => e.path === graph.path || (e.path.startsWith(graph.path) && /^[._]data/.test(e.path.slice(graph.path.length))));
      variants.push({ dtype, file: graph.path, bytes: bytes.reduce((sum, e) => sum + (e.size ?? 0), 0) });
    }
  }
  return variants;
}

export interface ChooseGraphOptions {
  /** The dtype asked for; without it the manifest's default for `backend`, else fp32, fp16, q4f16 in that order. */
  dtype?: Dtype;
  backend?: GraphBackend;
  /** The repo behind the folder, so the hub's listing endpoint can be asked. */
  source?: ModelSource;
  /** Variants known beforehand (the catalog's), used when the folder has no manifest. */
  known?: readonly GraphVariant[];
  /** HTTP for the hub listing (tests pass a double); default the global one. */
  http?: HttpGet;
}

/** The hub's listing of onnx/, or undefined when it cannot be had (not a hub, an error, not JSON). */
async function hubListing(source: ModelSource | undefined, http: HttpGet | undefined): Promise<GraphVariant[] | undefined> {
  if (source?.kind !== "hub") return undefined;
  const json = await getHubJson(`${source.hubUrl}/api/models/${source.repo}/tree/main/onnx`, http);
  return Array.isArray(json) ? variantsFromListing(json as ListingEntry[]) : undefined;
}

/** The first candidate name of `dtype` the folder has, by probing sizes. */
async function probe(files: ModelFiles, dtype: Dtype): Promise<GraphVariant | undefined> {
  for (const name of GRAPH_CANDIDATES[dtype]) {
    const file = `onnx/${name}`;
    const bytes = await files.size(file);
    if (bytes !== undefined) return bytes > 0 ? { dtype, file, bytes } : { dtype, file };
  }
  return undefined;
}

/** The folder's manifest, or undefined when it has none. */
export async function readVariantManifest(files: ModelFiles): Promise<VariantManifest | undefined> {
  if ((await files.size(VARIANTS_FILE)) === undefined) return undefined;
  const bytes = await files.bytes(VARIANTS_FILE);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ModelLoadError(VARIANTS_FILE, `is not valid JSON (${(error as Error).message})`);
  }
  return parseVariantManifest(json);
}

const DEFAULT_ORDER: readonly Dtype[] = ["fp32", "fp16", "q4f16"];

function missing(files: ModelFiles, dtype: Dtype | undefined, have: readonly Dtype[]): ModelLoadError {
  const has = have.length > 0 ? `it has ${[...new Set(have)].join(", ")}` : "it has no ONNX graph under onnx/ by the usual names";
  return new ModelLoadError(files.origin, dtype ? `has no ${dtype} graph (${has})` : `has no graph to choose by default (fp32, fp16 or q4f16; ${has})`);
}

/**
 * The graph to run: the variant of `dtype` (or the default one), from the manifest, the known
 * list, the hub listing, or probing, in that order. No such graph: a ModelLoadError listing the
 * dtypes the folder has.
 */
export async function chooseGraph(files: ModelFiles, options: ChooseGraphOptions = {}): Promise<GraphVariant> {
  const { dtype, backend = "cpu" } = options;
  const manifest = await readVariantManifest(files);
  // The catalog's list answers without a request, but a dtype it does not list may still be in the folder.
  const known = options.known && options.known.length > 0 ? { variants: [...options.known] } : undefined;
  const fromKnown = known && (dtype === undefined || known.variants.some((v) => v.dtype === dtype)) ? known : undefined;
  const listed: VariantManifest | undefined =
    manifest ?? fromKnown ?? (await hubListing(options.source, options.http).then((variants) => (variants ? { variants } : undefined)));
  if (listed) {
    const wanted = dtype ?? listed.default?.[backend] ?? DEFAULT_ORDER.find((d) => listed.variants.some((v) => v.dtype === d));
    const found = listed.variants.find((v) => v.dtype === wanted);
    if (found) return found;
    throw missing(files, dtype, listed.variants.map((v) => v.dtype));
  }
  for (const wanted of dtype ? [dtype] : DEFAULT_ORDER) {
    const found = await probe(files, wanted);
    if (found) return found;
  }
  const have: Dtype[] = [];
  for (const other of DTYPES) if (await probe(files, other)) have.push(other);
  throw missing(files, dtype, have);
}

/** The KV-cache twin of a graph: `onnx/model_kv_quantized.onnx` for a q8 graph when the folder has it, else `onnx/model_kv.onnx`. */
export async function kvGraphFile(files: ModelFiles, graph: GraphVariant): Promise<string> {
  const quantized = "onnx/model_kv_quantized.onnx";
  return graph.dtype === "q8" && (await files.size(quantized)) !== undefined ? quantized : KV_MODEL_FILE;
}
