/**
 * The one module that touches onnxruntime. The runtime namespace is passed in
 * (onnxruntime-node in Node, onnxruntime-web in the browser): both share onnxruntime-common's
 * API. It opens a graph (with its external data), learns its inputs from the graph itself,
 * runs one pass at a time, hands back only the rows a pass asked for, and disposes every
 * tensor it creates.
 *
 * Graph kinds it accepts (docs/models.md):
 * - inputs: `input_ids` int64 [batch, T] always; optionally `attention_mask` (2-D [batch, T],
 *   fed ones; or 4-D [batch, 1, T, T], an additive block-causal mask: BD3LM), `position_ids`
 *   int64 [batch, T] (0..T-1), and our `row_range` int64 [2].
 * - outputs: `logits` float32 [batch, R, V]; our graphs also return `top_ids` int32
 *   [batch, R, 2] and `top_probs` float32 [batch, R, 2] for the rows of `row_range`, so a pass
 *   at temperature 0 reads 16 bytes a row. A graph without them gets a reduction graph
 *   (reduce-graph.ts) on the same backend; on WebGPU its logits stay in GPU memory.
 */
import type * as OrtCommon from "onnxruntime-common";
import type { InferenceSession, Tensor } from "onnxruntime-common";
import { InferenceError, ModelContractError } from "../errors.ts";
import { blockCausalMask } from "./block-causal.ts";
import { TOP_K, rowsFromLogits, type Attention, type BlockLayout, type ForwardModel, type KvShape, type PassRows, type RowRequest, type WindowModel } from "./forward-model.ts";
import { topRowsGraph } from "./reduce-graph.ts";

export type { Attention, BlockLayout, ForwardModel, KvShape, PassRows, RowRequest, WindowModel, WindowPass } from "./forward-model.ts";

/** onnxruntime-web or onnxruntime-node (a namespace import, which the package's type rollup keeps intact). */
export type OrtModule = Pick<typeof OrtCommon, "InferenceSession" | "Tensor">;

/** A graph and its external data, as onnxruntime takes them. */
export interface GraphSource {
  /** The graph's path in the model folder, for messages ("onnx/model_q4f16.onnx"). */
  name: string;
  /** The graph's bytes, or (Node) a file path onnxruntime reads itself, its external data beside it. */
  graph: Uint8Array | string;
  /** External data files as the graph names them (relative to the graph) with their bytes or a path/URL. */
  externalData?: { path: string; data: Uint8Array | string }[];
}

export interface OnnxModelOptions {
  executionProviders?: InferenceSession.ExecutionProviderConfig[];
  /** When given, the graph's vocabulary must have this size. */
  vocabSize?: number;
  /** Backend-specific session settings (threads, spinning), passed through to onnxruntime. */
  sessionOptions?: Pick<InferenceSession.SessionOptions, "intraOpNumThreads" | "extra">;
  /** Block-causal graphs: the absolute grid the prompt's positions are split on (BD3LM trains with 32). */
  blockGrid?: number;
}

export interface OnnxModel extends ForwardModel {
  /** Tensors created (inputs) or received (outputs) and not yet disposed; 0 between passes (leak checks read this). */
  readonly liveTensors: number;
  /** Every tensor counted so far, so a leak check can tell a zero from an uncounted run. */
  readonly tensorsSeen: number;
  readonly executionProviders: string[];
  /** Where "top" rows are computed: inside the model's graph, in the reduction graph, or in JavaScript. */
  readonly reduction: "graph" | "reduction-graph" | "javascript";
  /** Bytes of output read back by the last pass. */
  readonly lastBytesRead: number;
}

/** Accepts a GraphSource or, as before, bare graph bytes. */
type GraphInput = GraphSource | Uint8Array;
const asSource = (graph: GraphInput, name: string): GraphSource => (graph instanceof Uint8Array ? { name, graph } : graph);

/**
 * A session's runs, one at a time (sessions reject concurrent runs), and its release after the
 * last of them.
 */
function serialRuns(...sessions: InferenceSession[]) {
  let queue: Promise<unknown> = Promise.resolve();
  let released = false;
  return {
    get released(): boolean {
      return released;
    },
    run<R>(task: () => Promise<R>): Promise<R> {
      const result = queue.then(task);
      queue = result.catch(() => undefined);
      return result;
    },
    async release(): Promise<void> {
      released = true;
      await queue;
      for (const session of sessions) await session.release();
    },
  };
}

/** Opens a graph's session; bytes onnxruntime cannot read are a contract error naming the file. */
async function openSession(
  ort: OrtModule,
  source: GraphSource,
  options: OnnxModelOptions,
  extra: Pick<InferenceSession.SessionOptions, "preferredOutputLocation"> = {},
): Promise<InferenceSession> {
  const sessionOptions: InferenceSession.SessionOptions = {
    ...options.sessionOptions,
    ...extra,
    executionProviders: options.executionProviders ?? ["cpu"],
    graphOptimizationLevel: "all",
    // Severity 3 (errors only): WebGPU sessions warn about nodes placed on the CPU through
    // console.error, which pages count as errors.
    logSeverityLevel: 3,
    ...(source.externalData ? { externalData: source.externalData } : {}),
  };
  try {
    return typeof source.graph === "string"
      ? await ort.InferenceSession.create(source.graph, sessionOptions)
      : await ort.InferenceSession.create(source.graph, sessionOptions);
  } catch (error) {
    throw new ModelContractError(`${source.name} could not be opened as an ONNX model (${(error as Error).message})`);
  }
}

const KNOWN_INPUTS = ["input_ids", "attention_mask", "position_ids", "row_range"] as const;

interface GraphInputs {
  attentionMask: "none" | "ones" | "block-causal";
  positionIds: boolean;
  rowRange: boolean;
}

/** What the graph takes, read from its metadata; an input the runtime cannot feed is a contract error. */
function graphInputs(session: InferenceSession, name: string): GraphInputs {
  const unknown = session.inputNames.filter((input) => !(KNOWN_INPUTS as readonly string[]).includes(input));
  if (!session.inputNames.includes("input_ids") || !session.outputNames.includes("logits") || unknown.length > 0) {
    throw new ModelContractError(
      `the ONNX graph must take "input_ids" (and optionally ${KNOWN_INPUTS.slice(1).join(", ")}) and return "logits"; ${name} takes [${session.inputNames.join(", ")}] and returns [${session.outputNames.join(", ")}]`,
    );
  }
  const mask = session.inputMetadata.find((m) => m.name === "attention_mask");
  const rank = mask?.isTensor ? mask.shape.length : undefined;
  if (mask && rank !== 2 && rank !== 4) {
    throw new ModelContractError(`${name}: "attention_mask" must be 2-D [batch, T] (ones) or 4-D [batch, 1, T, T] (additive block-causal), got rank ${String(rank)}`);
  }
  return {
    attentionMask: !mask ? "none" : rank === 4 ? "block-causal" : "ones",
    positionIds: session.inputNames.includes("position_ids"),
    rowRange: session.inputNames.includes("row_range"),
  };
}

/** The vocabulary from the logits output's last dimension, when the graph fixes it. */
function graphVocab(session: InferenceSession): number | undefined {
  const meta = session.outputMetadata.find((m) => m.name === "logits");
  const last = meta?.isTensor ? meta.shape[meta.shape.length - 1] : undefined;
  return typeof last === "number" ? last : undefined;
}

function int64(values: ArrayLike<number>): BigInt64Array {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]!);
  return out;
}

const outputNames = (rows: RowRequest, inGraphTop: boolean): string[] => (rows.output === "top" && inGraphTop ? ["top_ids", "top_probs"] : ["logits"]);

/** Counts tensors in and out, so leak checks can read how many are alive. */
function tensorCounter() {
  let live = 0;
  let seen = 0;
  return {
    get live() {
      return live;
    },
    get seen() {
      return seen;
    },
    add(count: number) {
      live += count;
      seen += count;
    },
    dispose(tensors: Iterable<Tensor>) {
      for (const tensor of tensors) {
        tensor.dispose();
        live--;
      }
    },
  };
}

/** A pass needs at least one row: onnxruntime's TopK fails on none (WASM throws, native dies of SIGFPE). */
function checkRows(rows: RowRequest, length: number): RangeError | undefined {
  return rows.from >= 0 && rows.from < rows.to && rows.to <= length
    ? undefined
    : new RangeError(`forward rows [${rows.from}, ${rows.to}) must be a non-empty range inside the canvas of ${length}`);
}

export async function createOnnxModel(ort: OrtModule, graph: GraphInput, options: OnnxModelOptions): Promise<OnnxModel> {
  const source = asSource(graph, "onnx/model.onnx");
  const executionProviders = options.executionProviders ?? ["cpu"];
  const providerNames = executionProviders.map((ep) => (typeof ep === "string" ? ep : ep.name));
  const onGpu = providerNames[0] === "webgpu";
  // On WebGPU the logits stay in GPU memory: a foreign graph's feed the reduction graph there, and
  // our graphs' are read back only when sampling asks for them. (Known before the session opens, so
  // a model of gigabytes is opened once.)
  const session = await openSession(ort, source, options, onGpu ? { preferredOutputLocation: { logits: "gpu-buffer" } } : {});
  let inputs: GraphInputs;
  try {
    inputs = graphInputs(session, source.name);
  } catch (error) {
    await session.release();
    throw error;
  }
  const inGraphTop = inputs.rowRange && session.outputNames.includes("top_ids") && session.outputNames.includes("top_probs");
  let reducer: InferenceSession | undefined;
  if (!inGraphTop) {
    try {
      reducer = await openSession(ort, { name: "the top-rows reduction graph", graph: topRowsGraph() }, options);
    } catch (error) {
      if (onGpu) {
        await session.release();
        throw error;
      }
      // Without a reduction graph the rows are reduced in JavaScript: slower, still correct.
      reducer = undefined;
    }
  }
  const vocabSize = graphVocab(session) ?? options.vocabSize;
  if (vocabSize !== undefined && options.vocabSize !== undefined && vocabSize !== options.vocabSize) {
    await session.release();
    await reducer?.release();
    throw new ModelContractError(`${source.name} returns logits over ${vocabSize} tokens but the model's config says ${options.vocabSize}`);
  }
  const attention: Attention = inputs.attentionMask === "block-causal" ? "block-causal" : "bidirectional";
  const grid = options.blockGrid ?? 32;
  const tensors = tensorCounter();
  const runs = serialRuns(...[session, ...(reducer ? [reducer] : [])]);
  let vocab = vocabSize;
  let lastBytesRead = 0;

  const feeds = (inputIds: Int32Array, rows: RowRequest, layout: BlockLayout | undefined): Record<string, Tensor> => {
    const T = inputIds.length;
    const feed: Record<string, Tensor> = { input_ids: new ort.Tensor("int64", int64(inputIds), [1, T]) };
    if (inputs.rowRange) feed.row_range = new ort.Tensor("int64", BigInt64Array.of(BigInt(rows.from), BigInt(rows.to)), [2]);
    if (inputs.positionIds) feed.position_ids = new ort.Tensor("int64", int64(Array.from({ length: T }, (_, i) => i)), [1, T]);
    if (inputs.attentionMask === "ones") feed.attention_mask = new ort.Tensor("int64", new BigInt64Array(T).fill(1n), [1, T]);
    if (inputs.attentionMask === "block-causal") {
      feed.attention_mask = new ort.Tensor("float32", blockCausalMask(T, layout ?? { promptLength: T, blocks: [] }, grid), [1, 1, T, T]);
    }
    tensors.add(Object.keys(feed).length);
    return feed;
  };

  const runOnce = async (inputIds: Int32Array, rows: RowRequest, layout: BlockLayout | undefined): Promise<PassRows> => {
    if (runs.released) throw new InferenceError("the model was unloaded");
    const T = inputIds.length;
    const R = rows.to - rows.from;
    const feed = feeds(inputIds, rows, layout);
    const owned: Tensor[] = Object.values(feed);
    const described = `input_ids int64 [1, ${T}]${inputs.rowRange ? `, row_range [${rows.from}, ${rows.to})` : ""}`;
    try {
      const outputs = await session.run(feed, outputNames(rows, inGraphTop));
      tensors.add(Object.keys(outputs).length);
      owned.push(...Object.values(outputs));
      if (rows.output === "top" && inGraphTop) {
        const ids = outputs.top_ids!;
        const probs = outputs.top_probs!;
        if (ids.dims.join(",") !== `1,${R},${TOP_K}` || probs.dims.join(",") !== `1,${R},${TOP_K}` || ids.type !== "int32") {
          throw new ModelContractError(`"top_ids"/"top_probs" must be int32/float32 [1, ${R}, ${TOP_K}] for ${described}, got ${ids.type} [${ids.dims.join(", ")}] and [${probs.dims.join(", ")}]`);
        }
        const [topIds, topProbs] = (await Promise.all([ids.getData(), probs.getData()])) as [Int32Array, Float32Array];
        lastBytesRead = topIds.byteLength + topProbs.byteLength;
        return { output: "top", from: rows.from, to: rows.to, topIds, topProbs };
      }
      const logits = outputs.logits as Tensor | undefined;
      if (!logits) throw new ModelContractError('the model returned no "logits" output');
      const rowsOut = inputs.rowRange ? R : T;
      const width = logits.dims[2];
      if (logits.dims.length !== 3 || logits.dims[1] !== rowsOut || (vocab !== undefined && width !== vocab)) {
        throw new ModelContractError(`"logits" must be [1, ${rowsOut}, ${vocab ?? "vocab"}] for ${described}, got [${logits.dims.join(", ")}]`);
      }
      vocab = width!;
      if (rows.output === "top" && reducer) {
        const range = new ort.Tensor("int64", BigInt64Array.of(BigInt(rows.from), BigInt(rows.to)), [2]);
        tensors.add(1);
        owned.push(range);
        const reduced = await reducer.run({ logits, row_range: range });
        tensors.add(Object.keys(reduced).length);
        owned.push(...Object.values(reduced));
        const [topIds, topProbs] = (await Promise.all([reduced.top_ids!.getData(), reduced.top_probs!.getData()])) as [Int32Array, Float32Array];
        lastBytesRead = topIds.byteLength + topProbs.byteLength;
        return { output: "top", from: rows.from, to: rows.to, topIds, topProbs };
      }
      // A view, not a copy: the data was already copied out of the runtime, and dispose() below
      // only drops the tensor's reference to it.
      const data = (await logits.getData()) as Float32Array;
      lastBytesRead = data.byteLength;
      const wanted = inputs.rowRange ? data : data.subarray(rows.from * vocab, rows.to * vocab);
      return rowsFromLogits(wanted, vocab, rows);
    } catch (error) {
      if (error instanceof ModelContractError) throw error;
      throw new InferenceError(`forward pass failed for ${described}: ${(error as Error).message}`);
    } finally {
      tensors.dispose(owned);
    }
  };

  return {
    get vocabSize() {
      if (vocab === undefined) throw new ModelContractError(`${source.name} does not fix its vocabulary size and none was given`);
      return vocab;
    },
    attention,
    executionProviders: providerNames,
    reduction: inGraphTop ? "graph" : reducer ? "reduction-graph" : "javascript",
    get liveTensors() {
      return tensors.live;
    },
    get tensorsSeen() {
      return tensors.seen;
    },
    get lastBytesRead() {
      return lastBytesRead;
    },
    forward(inputIds, rows, layout) {
      const bad = checkRows(rows, inputIds.length);
      if (bad) return Promise.reject(bad);
      return runs.run(() => runOnce(inputIds, rows, layout));
    },
    dispose: () => runs.release(),
  };
}

export interface OnnxWindowModel extends WindowModel {
  /** Tensors created (inputs) or received (outputs) and not yet disposed; 0 between passes. */
  readonly liveTensors: number;
}

export const KV_GRAPH_INPUTS = ["input_ids", "window_start", "past_keys", "past_values"] as const;
export const KV_GRAPH_OUTPUTS = ["logits", "present_keys", "present_values"] as const;

/** layers, heads and headDim are fixed dimensions of the graph's past_keys input: [layers, batch, heads, past, headDim]. */
function kvShapeOf(session: InferenceSession): KvShape | undefined {
  const meta = session.inputMetadata.find((m) => m.name === "past_keys");
  if (!meta?.isTensor) return undefined;
  const [layers, , heads, , headDim] = meta.shape;
  return typeof layers === "number" && typeof heads === "number" && typeof headDim === "number" && meta.shape.length === 5
    ? { layers, heads, headDim }
    : undefined;
}

export async function createOnnxWindowModel(ort: OrtModule, graph: GraphInput, options: OnnxModelOptions & { vocabSize: number }): Promise<OnnxWindowModel> {
  const source = asSource(graph, "onnx/model_kv.onnx");
  const file = source.name;
  const session = await openSession(ort, source, options);
  const kvShape = kvShapeOf(session);
  const named = (names: readonly string[], have: readonly string[]) => names.every((n) => have.includes(n));
  if (!named(KV_GRAPH_INPUTS, session.inputNames) || !named(KV_GRAPH_OUTPUTS, session.outputNames) || !kvShape) {
    await session.release();
    throw new ModelContractError(
      `${file} must take [${KV_GRAPH_INPUTS.join(", ")}] (past_keys [layers, batch, heads, past, head_dim] with fixed layers, heads, head_dim) and return [${KV_GRAPH_OUTPUTS.join(", ")}]; it takes [${session.inputNames.join(", ")}] and returns [${session.outputNames.join(", ")}]`,
    );
  }
  const rowRange = session.inputNames.includes("row_range");
  const inGraphTop = rowRange && named(["top_ids", "top_probs"], session.outputNames);
  const vocab = options.vocabSize;
  const rowFloats = kvShape.layers * kvShape.heads * kvShape.headDim;
  const tensors = tensorCounter();
  const runs = serialRuns(session);

  const runOnce = async (windowIds: Int32Array, start: number, pastKeys: Float32Array, pastValues: Float32Array, rows: RowRequest): Promise<{ rows: PassRows; keys: Float32Array; values: Float32Array }> => {
    if (runs.released) throw new InferenceError("the model was unloaded");
    const n = windowIds.length;
    const past = pastKeys.length / rowFloats;
    // Rows relative to the window.
    const [from, to] = [rows.from - start, rows.to - start];
    const described = `input_ids int64 [1, ${n}] at position ${start}, past_keys/past_values float32 [${kvShape.layers}, 1, ${kvShape.heads}, ${past}, ${kvShape.headDim}]`;
    const feed: Record<string, Tensor> = {
      input_ids: new ort.Tensor("int64", int64(windowIds), [1, n]),
      window_start: new ort.Tensor("int64", BigInt64Array.of(BigInt(start)), []),
      past_keys: new ort.Tensor("float32", pastKeys, [kvShape.layers, 1, kvShape.heads, past, kvShape.headDim]),
      past_values: new ort.Tensor("float32", pastValues, [kvShape.layers, 1, kvShape.heads, past, kvShape.headDim]),
      ...(rowRange ? { row_range: new ort.Tensor("int64", BigInt64Array.of(BigInt(from), BigInt(to)), [2]) } : {}),
    };
    tensors.add(Object.keys(feed).length);
    const owned: Tensor[] = Object.values(feed);
    try {
      const outputs = await session.run(feed, [...outputNames(rows, inGraphTop), "present_keys", "present_values"]);
      tensors.add(Object.keys(outputs).length);
      owned.push(...Object.values(outputs));
      const kvDims = [kvShape.layers, 1, kvShape.heads, n, kvShape.headDim].join(", ");
      const [keys, values] = [outputs.present_keys, outputs.present_values];
      if (keys?.dims.join(", ") !== kvDims || values?.dims.join(", ") !== kvDims) {
        throw new ModelContractError(`${file} must return present_keys/present_values [${kvDims}] for ${described}; got [${keys?.dims.join(", ")}], [${values?.dims.join(", ")}]`);
      }
      const [keysData, valuesData] = (await Promise.all([keys.getData(), values.getData()])) as [Float32Array, Float32Array];
      if (rows.output === "top" && inGraphTop) {
        const [topIds, topProbs] = (await Promise.all([outputs.top_ids!.getData(), outputs.top_probs!.getData()])) as [Int32Array, Float32Array];
        return { rows: { output: "top", from: rows.from, to: rows.to, topIds, topProbs }, keys: keysData, values: valuesData };
      }
      const logits = outputs.logits;
      const rowsOut = rowRange ? to - from : n;
      if (logits?.dims.join(", ") !== `1, ${rowsOut}, ${vocab}`) {
        throw new ModelContractError(`${file} must return logits [1, ${rowsOut}, ${vocab}] for ${described}; got [${logits?.dims.join(", ")}]`);
      }
      const data = (await logits.getData()) as Float32Array;
      const wanted = rowRange ? data : data.subarray(from * vocab, to * vocab);
      return { rows: rowsFromLogits(wanted, vocab, rows), keys: keysData, values: valuesData };
    } catch (error) {
      if (error instanceof ModelContractError) throw error;
      throw new InferenceError(`KV-cache pass failed for ${described}: ${(error as Error).message}`);
    } finally {
      tensors.dispose(owned);
    }
  };

  return {
    vocabSize: vocab,
    kvShape,
    get liveTensors() {
      return tensors.live;
    },
    forwardWindow(windowIds, start, pastKeys, pastValues, rows) {
      if (!(Number.isInteger(start) && start >= 0) || windowIds.length === 0) {
        return Promise.reject(new RangeError(`a KV-cache pass needs a non-empty window at a position >= 0, got ${windowIds.length} tokens at ${start}`));
      }
      if (pastKeys.length !== pastValues.length || pastKeys.length % rowFloats !== 0) {
        return Promise.reject(new RangeError(`past keys (${pastKeys.length} floats) and values (${pastValues.length}) must both hold whole positions of ${rowFloats} floats`));
      }
      if (!(rows.from >= start && rows.from < rows.to && rows.to <= start + windowIds.length)) {
        return Promise.reject(new RangeError(`rows [${rows.from}, ${rows.to}) must be a non-empty range inside the window [${start}, ${start + windowIds.length})`));
      }
      return runs.run(() => runOnce(windowIds, start, pastKeys, pastValues, rows));
    },
    dispose: () => runs.release(),
  };
}
