/**
 * The one module that touches onnxruntime. The runtime namespace is passed in
 * (onnxruntime-node in Node, onnxruntime-web in the browser): both share onnxruntime-common's
 * API. It opens a session, checks the graph contract, runs one pass at a time, hands back only
 * the logits rows asked for, and disposes every tensor it creates.
 */
import type { InferenceSession, Tensor } from "onnxruntime-common";
import { InferenceError, ModelContractError } from "../errors.ts";

export type OrtModule = Pick<typeof import("onnxruntime-common"), "InferenceSession" | "Tensor">;

/** What the decoding engine needs from a model: logits for a range of canvas positions. */
export interface ForwardModel {
  readonly vocabSize: number;
  /**
   * One forward pass over `inputIds` (the whole canvas, batch 1). Returns the logits of
   * positions [from, to) as a (to - from) x vocabSize row-major array.
   */
  forward(inputIds: Int32Array, from: number, to: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface OnnxModelOptions {
  executionProviders?: InferenceSession.ExecutionProviderConfig[];
  vocabSize: number;
  /** Backend-specific session settings (threads, spinning), passed through to onnxruntime. */
  sessionOptions?: Pick<InferenceSession.SessionOptions, "intraOpNumThreads" | "extra">;
}

export interface OnnxModel extends ForwardModel {
  /** Tensors created (inputs) or received (outputs) and not yet disposed; 0 between passes (leak checks read this). */
  readonly liveTensors: number;
  /** Every tensor counted so far, so a leak check can tell a zero from an uncounted run. */
  readonly tensorsSeen: number;
  readonly executionProviders: string[];
}

/**
 * A session's runs, one at a time (sessions reject concurrent runs), and its release after the
 * last of them.
 */
function serialRuns(session: InferenceSession) {
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
      await session.release();
    },
  };
}

/** Opens a graph's session; bytes onnxruntime cannot read are a contract error naming the file. */
async function openSession(ort: OrtModule, onnx: Uint8Array, options: OnnxModelOptions, file: string): Promise<InferenceSession> {
  try {
    // Severity 3 (errors only): WebGPU sessions warn about nodes placed on the CPU through
    // console.error, which pages count as errors.
    return await ort.InferenceSession.create(onnx, {
      ...options.sessionOptions,
      executionProviders: options.executionProviders ?? ["cpu"],
      graphOptimizationLevel: "all",
      logSeverityLevel: 3,
    });
  } catch (error) {
    throw new ModelContractError(`${file} could not be opened as an ONNX model (${(error as Error).message})`);
  }
}

export async function createOnnxModel(ort: OrtModule, onnx: Uint8Array, options: OnnxModelOptions): Promise<OnnxModel> {
  const executionProviders = options.executionProviders ?? ["cpu"];
  const session = await openSession(ort, onnx, options, "onnx/model.onnx");
  if (!session.inputNames.includes("input_ids") || !session.outputNames.includes("logits")) {
    await session.release();
    throw new ModelContractError(
      `the ONNX graph must take "input_ids" and return "logits"; it takes [${session.inputNames.join(", ")}] and returns [${session.outputNames.join(", ")}]`,
    );
  }
  let liveTensors = 0;
  let tensorsSeen = 0;
  const runs = serialRuns(session);

  const runOnce = async (inputIds: Int32Array, from: number, to: number): Promise<Float32Array> => {
    if (runs.released) throw new InferenceError("the model was unloaded");
    const ids = new BigInt64Array(inputIds.length);
    for (let i = 0; i < inputIds.length; i++) ids[i] = BigInt(inputIds[i]!);
    const input = new ort.Tensor("int64", ids, [1, inputIds.length]);
    liveTensors++;
    tensorsSeen++;
    let outputs: InferenceSession.ReturnType | undefined;
    try {
      outputs = await session.run({ input_ids: input });
      liveTensors += Object.keys(outputs).length;
      tensorsSeen += Object.keys(outputs).length;
      const logits = outputs.logits as Tensor | undefined;
      if (!logits) throw new ModelContractError("the model returned no \"logits\" output");
      const vocab = logits.dims[2];
      if (logits.dims.length !== 3 || logits.dims[1] !== inputIds.length || vocab !== options.vocabSize) {
        throw new ModelContractError(
          `"logits" must be [1, ${inputIds.length}, ${options.vocabSize}] for input_ids [1, ${inputIds.length}], got [${logits.dims.join(", ")}]`,
        );
      }
      const data = (await logits.getData()) as Float32Array;
      // A view, not a copy: the data was already copied out of the runtime, and dispose() below
      // only drops the tensor's reference to it.
      return data.subarray(from * vocab, to * vocab);
    } catch (error) {
      if (error instanceof ModelContractError) throw error;
      throw new InferenceError(`forward pass failed for input_ids int64 [1, ${inputIds.length}]: ${(error as Error).message}`);
    } finally {
      input.dispose();
      liveTensors--;
      for (const tensor of Object.values(outputs ?? {})) {
        tensor.dispose();
        liveTensors--;
      }
    }
  };

  return {
    vocabSize: options.vocabSize,
    executionProviders: executionProviders.map((ep) => (typeof ep === "string" ? ep : ep.name)),
    get liveTensors() {
      return liveTensors;
    },
    get tensorsSeen() {
      return tensorsSeen;
    },
    forward(inputIds, from, to) {
      if (!(from >= 0 && from <= to && to <= inputIds.length)) {
        return Promise.reject(new RangeError(`forward range [${from}, ${to}) is outside the canvas of ${inputIds.length}`));
      }
      return runs.run(() => runOnce(inputIds, from, to));
    },
    dispose: () => runs.release(),
  };
}

/** Sizes of a key or value cache: [layers, 1, heads, positions, headDim] floats, row-major. */
export interface KvShape {
  layers: number;
  heads: number;
  headDim: number;
}

/** What one pass of the KV-cache graph returns for its window of n positions. */
export interface WindowPass {
  /** n x vocabSize, row-major. */
  logits: Float32Array;
  /** The window's keys (rotary of their true positions applied) and values, [layers, 1, heads, n, headDim]. */
  keys: Float32Array;
  values: Float32Array;
}

/** The model's KV-cache graph (onnx/model_kv.onnx): a window of the canvas against cached keys/values. */
export interface WindowModel {
  readonly vocabSize: number;
  readonly kvShape: KvShape;
  /**
   * One forward pass over `windowIds`, the canvas tokens at absolute positions
   * [start, start + windowIds.length), attending to themselves and to the cached keys/values of
   * the other positions (any number, in the KvShape layout; empty arrays for a pass with no cache).
   */
  forwardWindow(windowIds: Int32Array, start: number, pastKeys: Float32Array, pastValues: Float32Array): Promise<WindowPass>;
  dispose(): Promise<void>;
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

export async function createOnnxWindowModel(ort: OrtModule, onnx: Uint8Array, options: OnnxModelOptions): Promise<OnnxWindowModel> {
  const file = "onnx/model_kv.onnx";
  const session = await openSession(ort, onnx, options, file);
  const kvShape = kvShapeOf(session);
  const named = (names: readonly string[], have: readonly string[]) => names.every((n) => have.includes(n));
  if (!named(KV_GRAPH_INPUTS, session.inputNames) || !named(KV_GRAPH_OUTPUTS, session.outputNames) || !kvShape) {
    await session.release();
    throw new ModelContractError(
      `${file} must take [${KV_GRAPH_INPUTS.join(", ")}] (past_keys [layers, batch, heads, past, head_dim] with fixed layers, heads, head_dim) and return [${KV_GRAPH_OUTPUTS.join(", ")}]; it takes [${session.inputNames.join(", ")}] and returns [${session.outputNames.join(", ")}]`,
    );
  }
  const rowFloats = kvShape.layers * kvShape.heads * kvShape.headDim;
  let liveTensors = 0;
  const runs = serialRuns(session);

  const runOnce = async (windowIds: Int32Array, start: number, pastKeys: Float32Array, pastValues: Float32Array): Promise<WindowPass> => {
    if (runs.released) throw new InferenceError("the model was unloaded");
    const n = windowIds.length;
    const past = pastKeys.length / rowFloats;
    const described = `input_ids int64 [1, ${n}] at position ${start}, past_keys/past_values float32 [${kvShape.layers}, 1, ${kvShape.heads}, ${past}, ${kvShape.headDim}]`;
    const ids = new BigInt64Array(n);
    for (let i = 0; i < n; i++) ids[i] = BigInt(windowIds[i]!);
    const inputs = {
      input_ids: new ort.Tensor("int64", ids, [1, n]),
      window_start: new ort.Tensor("int64", BigInt64Array.of(BigInt(start)), []),
      past_keys: new ort.Tensor("float32", pastKeys, [kvShape.layers, 1, kvShape.heads, past, kvShape.headDim]),
      past_values: new ort.Tensor("float32", pastValues, [kvShape.layers, 1, kvShape.heads, past, kvShape.headDim]),
    };
    liveTensors += 4;
    let outputs: InferenceSession.ReturnType | undefined;
    try {
      outputs = await session.run(inputs);
      liveTensors += Object.keys(outputs).length;
      const [logits, keys, values] = KV_GRAPH_OUTPUTS.map((name) => outputs![name] as Tensor | undefined);
      const kvDims = [kvShape.layers, 1, kvShape.heads, n, kvShape.headDim].join(", ");
      if (logits?.dims.join(", ") !== `1, ${n}, ${options.vocabSize}` || keys?.dims.join(", ") !== kvDims || values?.dims.join(", ") !== kvDims) {
        throw new ModelContractError(
          `${file} must return logits [1, ${n}, ${options.vocabSize}] and present_keys/present_values [${kvDims}] for ${described}; got [${logits?.dims.join(", ")}], [${keys?.dims.join(", ")}], [${values?.dims.join(", ")}]`,
        );
      }
      const [logitsData, keysData, valuesData] = await Promise.all([logits.getData(), keys.getData(), values.getData()]);
      return { logits: logitsData as Float32Array, keys: keysData as Float32Array, values: valuesData as Float32Array };
    } catch (error) {
      if (error instanceof ModelContractError) throw error;
      throw new InferenceError(`KV-cache pass failed for ${described}: ${(error as Error).message}`);
    } finally {
      for (const tensor of [...Object.values(inputs), ...Object.values(outputs ?? {})]) {
        tensor.dispose();
        liveTensors--;
      }
    }
  };

  return {
    vocabSize: options.vocabSize,
    kvShape,
    get liveTensors() {
      return liveTensors;
    },
    forwardWindow(windowIds, start, pastKeys, pastValues) {
      if (!(Number.isInteger(start) && start >= 0) || windowIds.length === 0) {
        return Promise.reject(new RangeError(`a KV-cache pass needs a non-empty window at a position >= 0, got ${windowIds.length} tokens at ${start}`));
      }
      if (pastKeys.length !== pastValues.length || pastKeys.length % rowFloats !== 0) {
        return Promise.reject(new RangeError(`past keys (${pastKeys.length} floats) and values (${pastValues.length}) must both hold whole positions of ${rowFloats} floats`));
      }
      return runs.run(() => runOnce(windowIds, start, pastKeys, pastValues));
    },
    dispose: () => runs.release(),
  };
}
