/**
 * A minimal ONNX protobuf writer, for the small graphs the runtime (the reduction graph) and
 * the bench (a synthetic wide-vocabulary graph) build themselves. Fields are byte chunks joined
 * once, so a graph with megabytes of initializer data is written without copying it per field.
 * Field numbers are those of onnx.proto.
 */
type Bytes = Uint8Array;

function varint(value: number): Bytes {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(value));
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return Uint8Array.from(out);
}

function concat(parts: readonly Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Wire type 0 (varint) and 2 (length-delimited) fields. */
const int = (field: number, value: number): Bytes => concat([varint(field << 3), varint(value)]);
const bytes = (field: number, payload: Bytes): Bytes => concat([varint((field << 3) | 2), varint(payload.length), payload]);
const str = (field: number, text: string): Bytes => bytes(field, new TextEncoder().encode(text));
const message = (...fields: Bytes[]): Bytes => concat(fields);

/** TensorProto.DataType values used here. */
export const TENSOR = { FLOAT: 1, INT32: 6, INT64: 7 } as const;
const ATTRIBUTE = { INT: 2, INTS: 7 } as const;

export interface Attribute {
  name: string;
  int?: number;
  ints?: number[];
}

/** A NodeProto (GraphProto field 1), named after its first output. */
export function node(opType: string, inputs: string[], outputs: string[], attributes: Attribute[] = []): Bytes {
  const attribute = (a: Attribute): Bytes =>
    bytes(5, a.ints ? message(str(1, a.name), ...a.ints.map((i) => int(8, i)), int(20, ATTRIBUTE.INTS)) : message(str(1, a.name), int(3, a.int!), int(20, ATTRIBUTE.INT)));
  return bytes(1, message(...inputs.map((n) => str(1, n)), ...outputs.map((n) => str(2, n)), str(3, outputs[0]!), str(4, opType), ...attributes.map(attribute)));
}

/** A graph input (`"input"`) or output (`"output"`) with its element type and dims (numbers or symbolic names). */
export function valueInfo(kind: "input" | "output", name: string, elemType: number, dims: (number | string)[]): Bytes {
  const shape = message(...dims.map((d) => bytes(1, typeof d === "number" ? int(1, d) : str(2, d))));
  return bytes(kind === "input" ? 11 : 12, message(str(1, name), bytes(2, bytes(1, message(int(1, elemType), bytes(2, shape))))));
}

export function initializer(name: string, elemType: number, dims: number[], raw: Bytes): Bytes {
  return bytes(5, message(...dims.map((d) => int(1, d)), int(2, elemType), str(8, name), bytes(9, raw)));
}

export const int64Initializer = (name: string, values: number[]): Bytes =>
  initializer(name, TENSOR.INT64, [values.length], new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer));

/** A ModelProto (IR 8, default-domain opset `opset`) around the graph's parts (nodes, initializers, inputs, outputs). */
export function onnxModel(graphName: string, parts: Bytes[], opset = 17, producer = "dllm-web"): Bytes {
  const graph = message(...parts, str(2, graphName));
  return message(int(1, 8), bytes(8, message(str(1, ""), int(2, opset))), str(2, producer), bytes(7, graph));
}
