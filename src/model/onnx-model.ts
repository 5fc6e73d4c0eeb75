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
}

export interface OnnxModel extends ForwardModel {
  /** Tensors created and not yet disposed; 0 between passes (leak checks read this). */
  readonly liveTensors: number;
  readonly executionProviders: string[];
}

export async function createOnnxModel(ort: OrtModule, onnx: Uint8Array, options: OnnxModelOptions): Promise<OnnxModel> {
  const executionProviders = options.executionProviders ?? ["cpu"];
  let session: InferenceSession;
  try {
    // Severity 3 (errors only): WebGPU sessions warn about nodes placed on the CPU through
    // console.error, which pages count as errors.
    session = await ort.InferenceSession.create(onnx, { executionProviders, graphOptimizationLevel: "all", logSeverityLevel: 3 });
  } catch (error) {
    throw new ModelContractError(`onnx/model.onnx could not be opened as an ONNX model (${(error as Error).message})`);
  }
  if (!session.inputNames.includes("input_ids") || !session.outputNames.includes("logits")) {
    await session.release();
    throw new ModelContractError(
      `the ONNX graph must take "input_ids" and return "logits"; it takes [${session.inputNames.join(", ")}] and returns [${session.outputNames.join(", ")}]`,
    );
  }
  let liveTensors = 0;
  let queue: Promise<unknown> = Promise.resolve();
  let released = false;

  const runOnce = async (inputIds: Int32Array, from: number, to: number): Promise<Float32Array> => {
    if (released) throw new InferenceError("the model was unloaded");
    const ids = new BigInt64Array(inputIds.length);
    for (let i = 0; i < inputIds.length; i++) ids[i] = BigInt(inputIds[i]!);
    const input = new ort.Tensor("int64", ids, [1, inputIds.length]);
    liveTensors++;
    let outputs: InferenceSession.ReturnType | undefined;
    try {
      outputs = await session.run({ input_ids: input });
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
      for (const tensor of Object.values(outputs ?? {})) tensor.dispose();
    }
  };

  return {
    vocabSize: options.vocabSize,
    executionProviders: executionProviders.map((ep) => (typeof ep === "string" ? ep : ep.name)),
    get liveTensors() {
      return liveTensors;
    },
    forward(inputIds, from, to) {
      if (!(from >= 0 && from <= to && to <= inputIds.length)) {
        return Promise.reject(new RangeError(`forward range [${from}, ${to}) is outside the canvas of ${inputIds.length}`));
      }
      // Sessions reject concurrent runs, so calls are chained one after another.
      const result = queue.then(() => runOnce(inputIds, from, to));
      queue = result.catch(() => undefined);
      return result;
    },
    async dispose() {
      released = true;
      await queue;
      await session.release();
    },
  };
}
