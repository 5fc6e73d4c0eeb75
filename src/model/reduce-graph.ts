/**
 * The reduction graph for models we did not export: it takes a graph's full `logits`
 * [1, T, V] and a `row_range` [from, to), and returns for those rows the two highest-logit
 * token ids (`top_ids` int32 [1, R, 2], descending, ties to the lower id as TopK orders them)
 * and their softmax probabilities under the raw logits (`top_probs` float32 [1, R, 2]). Run on
 * the model's own backend, with WebGPU's logits left in GPU memory, it keeps every pass from
 * reading back a vocabulary-wide tensor. The graph is a few hundred bytes, so it is written
 * here as ONNX protobuf rather than shipped as a file.
 */
import { int64Initializer, node, onnxModel, TENSOR, valueInfo } from "./onnx-writer.ts";

let cached: Uint8Array | undefined;

/** The reduction graph's ONNX bytes (opset 17), built once. */
export function topRowsGraph(): Uint8Array {
  if (cached) return cached;
  cached = onnxModel("top_rows", [
    node("Gather", ["row_range", "first"], ["row_from"], [{ name: "axis", int: 0 }]),
    node("Gather", ["row_range", "second"], ["row_to"], [{ name: "axis", int: 0 }]),
    node("Slice", ["logits", "row_from", "row_to", "sequence_axis"], ["rows"]),
    node("TopK", ["rows", "k"], ["top_logits", "top_indices"], [{ name: "axis", int: -1 }]),
    node("ReduceLogSumExp", ["rows"], ["log_total"], [{ name: "axes", ints: [-1] }, { name: "keepdims", int: 1 }]),
    node("Sub", ["top_logits", "log_total"], ["top_log_probs"]),
    node("Exp", ["top_log_probs"], ["top_probs"]),
    node("Cast", ["top_indices"], ["top_ids"], [{ name: "to", int: TENSOR.INT32 }]),
    int64Initializer("first", [0]),
    int64Initializer("second", [1]),
    int64Initializer("sequence_axis", [1]),
    int64Initializer("k", [2]),
    valueInfo("input", "logits", TENSOR.FLOAT, ["batch", "sequence", "vocab"]),
    valueInfo("input", "row_range", TENSOR.INT64, [2]),
    valueInfo("output", "top_ids", TENSOR.INT32, ["batch", "rows", 2]),
    valueInfo("output", "top_probs", TENSOR.FLOAT, ["batch", "rows", 2]),
  ]);
  return cached;
}
