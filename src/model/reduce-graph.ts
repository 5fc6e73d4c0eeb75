/**
 * The reduction graph for models we did not export: it takes a graph's full `logits`
 * [1, T, V] and a `row_range` [from, to), and returns for those rows the two highest-logit
 * token ids (`top_ids` int32 [1, R, 2], descending, ties to the lower id as TopK orders them)
 * and their softmax probabilities under the raw logits (`top_probs` float32 [1, R, 2]). Run on
 * the model's own backend, with WebGPU's logits left in GPU memory, it keeps every pass from
 * reading back a vocabulary-wide tensor. The graph is a few hundred bytes, so it is written
 * here as ONNX protobuf rather than shipped as a file.
 */

// Protobuf wire types: 0 varint, 2 length-delimited.
function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

type Field = number[];
const intField = (field: number, value: number | bigint): Field => [...varint((field << 3) | 0), ...varint(value)];
function bytesField(field: number, payload: ArrayLike<number>): Field {
  return [...varint((field << 3) | 2), ...varint(payload.length), ...Array.from(payload)];
}
const stringField = (field: number, text: string): Field => bytesField(field, new TextEncoder().encode(text));
const message = (...fields: Field[]): number[] => fields.flat();

// onnx.proto field numbers and enums used below.
const TENSOR = { FLOAT: 1, INT32: 6, INT64: 7 } as const;
const ATTRIBUTE = { INT: 2, INTS: 7 } as const;

interface Attribute {
  name: string;
  int?: number;
  ints?: number[];
}

function node(opType: string, inputs: string[], outputs: string[], attributes: Attribute[] = []): Field {
  return bytesField(
    1,
    message(
      ...inputs.map((name) => stringField(1, name)),
      ...outputs.map((name) => stringField(2, name)),
      stringField(3, outputs[0]!),
      stringField(4, opType),
      ...attributes.map((a) =>
        bytesField(
          5,
          a.ints
            ? message(stringField(1, a.name), ...a.ints.map((i) => intField(8, i)), intField(20, ATTRIBUTE.INTS))
            : message(stringField(1, a.name), intField(3, a.int!), intField(20, ATTRIBUTE.INT)),
        ),
      ),
    ),
  );
}

function valueInfo(field: number, name: string, elemType: number, dims: (number | string)[]): Field {
  const shape = message(...dims.map((d) => bytesField(1, typeof d === "number" ? intField(1, d) : stringField(2, d))));
  const tensorType = message(intField(1, elemType), bytesField(2, shape));
  return bytesField(field, message(stringField(1, name), bytesField(2, bytesField(1, tensorType))));
}

function int64Initializer(name: string, values: number[]): Field {
  const raw = new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer);
  return bytesField(5, message(intField(1, values.length), intField(2, TENSOR.INT64), stringField(8, name), bytesField(9, raw)));
}

let cached: Uint8Array | undefined;

/** The reduction graph's ONNX bytes (opset 17), built once. */
export function topRowsGraph(): Uint8Array {
  if (cached) return cached;
  const graph = message(
    node("Gather", ["row_range", "first"], ["row_from"], [{ name: "axis", int: 0 }]),
    node("Gather", ["row_range", "second"], ["row_to"], [{ name: "axis", int: 0 }]),
    node("Slice", ["logits", "row_from", "row_to", "sequence_axis"], ["rows"]),
    node("TopK", ["rows", "k"], ["top_logits", "top_indices"], [{ name: "axis", int: -1 }]),
    node("ReduceLogSumExp", ["rows"], ["log_total"], [{ name: "axes", ints: [-1] }, { name: "keepdims", int: 1 }]),
    node("Sub", ["top_logits", "log_total"], ["top_log_probs"]),
    node("Exp", ["top_log_probs"], ["top_probs"]),
    node("Cast", ["top_indices"], ["top_ids"], [{ name: "to", int: TENSOR.INT32 }]),
    stringField(2, "top_rows"),
    int64Initializer("first", [0]),
    int64Initializer("second", [1]),
    int64Initializer("sequence_axis", [1]),
    int64Initializer("k", [2]),
    valueInfo(11, "logits", TENSOR.FLOAT, ["batch", "sequence", "vocab"]),
    valueInfo(11, "row_range", TENSOR.INT64, [2]),
    valueInfo(12, "top_ids", TENSOR.INT32, ["batch", "rows", 2]),
    valueInfo(12, "top_probs", TENSOR.FLOAT, ["batch", "rows", 2]),
  );
  const opset = message(stringField(1, ""), intField(2, 17));
  cached = Uint8Array.from(message(intField(1, 8), bytesField(8, opset), stringField(2, "dllm-web"), bytesField(7, graph)));
  return cached;
}
