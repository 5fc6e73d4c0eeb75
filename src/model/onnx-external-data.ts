/**
 * Which external data files an ONNX graph needs, read from the graph itself, and the
 * `GraphSource` a session opens: the graph plus those files, each as bytes or (Node, local
 * folder) a path, so a data file of a gigabyte is never copied into anything else.
 *
 * The reader is a minimal protobuf walker over the fields that matter (onnx.proto3):
 * ModelProto.graph (7) -> GraphProto.initializer (5) -> TensorProto.external_data (13, a list of
 * StringStringEntryProto key = 1, value = 2) and TensorProto.data_location (14, EXTERNAL = 1).
 * Sub-graphs (If/Loop bodies) and Constant nodes are not read: exporters put weights in the
 * main graph's initializers.
 */
import { ModelLoadError } from "../errors.ts";
import type { FileProgress, ModelFiles } from "./model-folder.ts";
import type { GraphSource } from "./onnx-model.ts";

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_EXTERNAL_DATA = 13;
const TENSOR_DATA_LOCATION = 14;
const DATA_LOCATION_EXTERNAL = 1;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

interface Field {
  number: number;
  wire: number;
  /** The varint's value (wire 0). */
  value: number;
  /** The payload's [start, end) in the buffer (wire 2). */
  start: number;
  end: number;
}

/** Bytes that are not a well-formed protobuf: the session's own open reports those. */
class DamagedProtobuf extends ModelLoadError {}

class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
    readonly file: string,
  ) {
    this.pos = start;
  }

  fail(what: string): never {
    throw new DamagedProtobuf(this.file, `is not a valid ONNX protobuf (${what} at byte ${this.pos})`);
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail("truncated varint");
      const byte = this.bytes[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    return this.fail("varint longer than 10 bytes");
  }

  next(): Field | undefined {
    if (this.pos >= this.end) return undefined;
    const key = this.varint();
    const field: Field = { number: Math.floor(key / 8), wire: key % 8, value: 0, start: 0, end: 0 };
    switch (field.wire) {
      case WIRE_VARINT:
        field.value = this.varint();
        break;
      case WIRE_FIXED64:
        this.pos += 8;
        break;
      case WIRE_FIXED32:
        this.pos += 4;
        break;
      case WIRE_LEN: {
        const length = this.varint();
        field.start = this.pos;
        field.end = this.pos + length;
        this.pos = field.end;
        break;
      }
      default:
        this.fail(`unsupported wire type ${field.wire}`);
    }
    if (this.pos > this.end) this.fail(`field ${field.number} runs past its message`);
    return field;
  }

  sub(field: Field): Reader {
    return new Reader(this.bytes, field.start, field.end, this.file);
  }

  text(field: Field): string {
    return new TextDecoder().decode(this.bytes.subarray(field.start, field.end));
  }
}

/** One initializer's external data entry: the "location" key, and whether data_location says EXTERNAL. */
function tensorLocation(tensor: Reader): { location: string | undefined; external: boolean } {
  let location: string | undefined;
  let external = false;
  for (let field = tensor.next(); field; field = tensor.next()) {
    if (field.number === TENSOR_DATA_LOCATION && field.wire === WIRE_VARINT) external = field.value === DATA_LOCATION_EXTERNAL;
    if (field.number !== TENSOR_EXTERNAL_DATA || field.wire !== WIRE_LEN) continue;
    const entry = tensor.sub(field);
    let key: string | undefined;
    let value: string | undefined;
    for (let part = entry.next(); part; part = entry.next()) {
      if (part.wire !== WIRE_LEN) continue;
      if (part.number === ENTRY_KEY) key = entry.text(part);
      if (part.number === ENTRY_VALUE) value = entry.text(part);
    }
    if (key === "location") location = value;
  }
  return { location, external };
}

/**
 * The external data files an ONNX graph's initializers name (their "location", a path relative
 * to the graph's folder), each once, in order of first use; [] for a self-contained graph.
 * @param file the graph's name, for messages
 */
export function externalDataLocations(graph: Uint8Array, file: string): string[] {
  const locations: string[] = [];
  const model = new Reader(graph, 0, graph.byteLength, file);
  for (let field = model.next(); field; field = model.next()) {
    if (field.number !== MODEL_GRAPH || field.wire !== WIRE_LEN) continue;
    const body = model.sub(field);
    for (let part = body.next(); part; part = body.next()) {
      if (part.number !== GRAPH_INITIALIZER || part.wire !== WIRE_LEN) continue;
      const { location, external } = tensorLocation(body.sub(part));
      if (!external) continue;
      if (location === undefined || location === "") throw new ModelLoadError(file, "has an initializer stored externally without a \"location\"");
      if (location.startsWith("/") || location.split(/[\\/]/).includes("..") || /^[a-z]:/i.test(location)) {
        throw new ModelLoadError(file, `names external data outside its folder: ${JSON.stringify(location)}`);
      }
      if (!locations.includes(location)) locations.push(location);
    }
  }
  return locations;
}

/** The folder path of a file beside `graphFile` ("onnx/model.onnx" + "model.onnx.data" -> "onnx/model.onnx.data"). */
export function besideGraph(graphFile: string, location: string): string {
  const slash = graphFile.lastIndexOf("/");
  return slash < 0 ? location : `${graphFile.slice(0, slash + 1)}${location}`;
}

/** A string `externalData()` handed out is a file path (Node) unless it is a URL (a browser's blob: or http:). */
const isUrl = (text: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[a-z]:[\\/]/i.test(text);

/**
 * A graph of the folder and the external data files it names, ready for createOnnxModel: the
 * graph's bytes are read once to find the data files; where `files` can hand out paths (Node,
 * local folder) the graph is passed as its path and onnxruntime reads the data beside it itself,
 * else graph and data come as separate buffers or URLs (a browser's blob: URLs of cached parts).
 * A missing data file is a ModelLoadError naming it, raised before any session is created;
 * `beforeData` sees the data files' paths before any is fetched (a storage check).
 */
export async function loadGraphSource(
  files: ModelFiles,
  file: string,
  onProgress?: (progress: FileProgress) => void,
  beforeData?: (paths: string[]) => Promise<void>,
): Promise<GraphSource> {
  const located = await files.externalData(file, onProgress);
  const byPath = typeof located === "string" && !isUrl(located);
  const bytes = typeof located === "string" ? await files.bytes(file) : located;
  if (bytes.byteLength === 0) throw new ModelLoadError(file, "is empty");
  let locations: string[];
  try {
    locations = externalDataLocations(bytes, file);
  } catch (error) {
    // A damaged graph is left to onnxruntime, whose open names it as an ONNX model it cannot read.
    if (!(error instanceof DamagedProtobuf)) throw error;
    locations = [];
  }
  const paths = locations.map((location) => besideGraph(file, location));
  for (const path of paths) {
    if ((await files.size(path)) === undefined) throw new ModelLoadError(path, `is missing from ${files.origin} (${file} keeps its weights there)`);
  }
  // onnxruntime-node reads the data beside a graph it opened by path; listing it again would load it twice.
  if (byPath) return { name: file, graph: located };
  await beforeData?.(paths);
  const externalData: { path: string; data: Uint8Array | string }[] = [];
  for (const [i, location] of locations.entries()) externalData.push({ path: location, data: await files.externalData(paths[i]!, onProgress) });
  const graph = typeof located === "string" ? located : bytes;
  return externalData.length > 0 ? { name: file, graph, externalData } : { name: file, graph };
}
