/**
 * Models at Qwen3's vocabulary (151,936) for the engine-share measurement: the replica MDLM
 * folder (model/replica/hub/...) through loadModel, like any model folder (a 4.9 M-parameter
 * fixture whose passes, almost all output head, take 0.3-0.7 s here), and a synthetic graph of that width with cheap passes,
 * written here as ONNX protobuf (as src/model/reduce-graph.ts writes its graph):
 * input_ids -> Gather from a [151936, 16] table -> the rows of row_range -> MatMul with the
 * table's transpose -> logits, plus in-graph top_ids/top_probs like our exports. Its
 * predictions mean nothing; what it measures is the engine's own work per pass at that width.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as ortNode from "onnxruntime-node";
import type { EngineModel } from "../../src/decoding/engine.ts";
import { fakeCodec } from "../../src/decoding/testing.ts";
import { createOnnxModel, type OnnxModel } from "../../src/model/onnx-model.ts";
import type { Dtype } from "../../src/model/model-source.ts";
import { createTextCodec, type TextCodec } from "../../src/model/tokenizer.ts";
import { loadModel } from "../../src/node/model.ts";
import { createRandom } from "../../src/util/random.ts";
import { initializer, int64Initializer, node, onnxModel, TENSOR, valueInfo } from "../../src/model/onnx-writer.ts";
import { replicaFolderName } from "./forward-latency.ts";

const ROOT = resolve(import.meta.dirname, "../..");
/** The replica's hub layout: one folder per kind (MDLM, BD3LM), served to the Chromium bench page too. */
export const REPLICA_HUB = join(ROOT, "model/replica/hub/dllm-replica");
export const REPLICA_DIR = join(REPLICA_HUB, replicaFolderName("mdlm"));
/** The Qwen3 tokenizer the replica build downloads (not in git). */
const QWEN_TOKENIZER_DIR = join(ROOT, "model/replica/work/tokenizer");
export const QWEN_VOCAB = 151_936;
const QWEN_IDS = { maskTokenId: 151_669, eosTokenId: 151_645, padTokenId: 151_643 } as const;
const NO_SPINNING = { extra: { session: { intra_op: { allow_spinning: "0" } } } };

/** The synthetic graph's bytes (opset 17): a random [vocab, width] table used as embedding and head. */
export function syntheticGraph(vocab = QWEN_VOCAB, width = 16, seed = 19): Uint8Array {
  const random = createRandom(seed);
  const table = Float32Array.from({ length: vocab * width }, () => random.next() * 2 - 1);
  return onnxModel(
    "synthetic_wide_vocab",
    [
      node("Gather", ["table", "input_ids"], ["hidden"], [{ name: "axis", int: 0 }]),
      node("Gather", ["row_range", "first"], ["row_from"], [{ name: "axis", int: 0 }]),
      node("Gather", ["row_range", "second"], ["row_to"], [{ name: "axis", int: 0 }]),
      node("Slice", ["hidden", "row_from", "row_to", "sequence_axis"], ["rows"]),
      node("Transpose", ["table"], ["head"], [{ name: "perm", ints: [1, 0] }]),
      node("MatMul", ["rows", "head"], ["logits"]),
      node("TopK", ["logits", "k"], ["top_logits", "top_indices"], [{ name: "axis", int: -1 }]),
      node("ReduceLogSumExp", ["logits"], ["log_total"], [{ name: "axes", ints: [-1] }, { name: "keepdims", int: 1 }]),
      node("Sub", ["top_logits", "log_total"], ["top_log_probs"]),
      node("Exp", ["top_log_probs"], ["top_probs"]),
      node("Cast", ["top_indices"], ["top_ids"], [{ name: "to", int: TENSOR.INT32 }]),
      initializer("table", TENSOR.FLOAT, [vocab, width], new Uint8Array(table.buffer)),
      int64Initializer("first", [0]),
      int64Initializer("second", [1]),
      int64Initializer("sequence_axis", [1]),
      int64Initializer("k", [2]),
      valueInfo("input", "input_ids", TENSOR.INT64, ["batch", "sequence"]),
      valueInfo("input", "row_range", TENSOR.INT64, [2]),
      valueInfo("output", "logits", TENSOR.FLOAT, ["batch", "rows", vocab]),
      valueInfo("output", "top_ids", TENSOR.INT32, ["batch", "rows", 2]),
      valueInfo("output", "top_probs", TENSOR.FLOAT, ["batch", "rows", 2]),
    ],
    17,
    "dllm-web bench",
  );
}

const readJson = (path: string): object => JSON.parse(readFileSync(path, "utf8")) as object;

/** The Qwen3 tokenizer from `dir` when it is there, else a character-level stand-in (printable ASCII and "\n"). */
function codecFrom(dir: string): { codec: TextCodec; name: string } {
  if (existsSync(join(dir, "tokenizer.json")) && existsSync(join(dir, "tokenizer_config.json"))) {
    return { codec: createTextCodec(readJson(join(dir, "tokenizer.json")), readJson(join(dir, "tokenizer_config.json"))), name: "Qwen3 tokenizer" };
  }
  const pieces = ["\n", ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))];
  return { codec: fakeCodec(pieces), name: "character-level fake codec" };
}

export interface WideModel {
  engine: EngineModel & { model: OnnxModel };
  /** What ran, for the report. */
  graph: string;
  synthetic: boolean;
}

function engineOf(model: OnnxModel, codec: TextCodec): EngineModel & { model: OnnxModel } {
  const newline = codec.idOf("\n") ?? codec.idOf("\u010a");
  return {
    model,
    codec,
    config: { vocabSize: model.vocabSize, ...QWEN_IDS, maxSequenceLength: 4096, delimiterTokenIds: newline === undefined ? [] : [newline] },
  };
}

/**
 * The replica MDLM folder's graph of `dtype`, loaded as the CLI loads any model folder
 * (loadModel: its tokenizer, its config's ids, onnxruntime-node at default threads); undefined
 * when the folder is not there.
 */
export async function openReplica(dtype: Dtype = "fp16"): Promise<WideModel | undefined> {
  if (!existsSync(join(REPLICA_DIR, "config.json"))) return undefined;
  const loaded = await loadModel(REPLICA_DIR, { dtype });
  return { engine: loaded, graph: `replica MDLM ${loaded.graph.file} (top rows: ${loaded.model.reduction})`, synthetic: false };
}

/** The synthetic graph of Qwen3's width, with the Qwen3 tokenizer when the replica build has fetched it. */
export async function openSynthetic(): Promise<WideModel> {
  const model = await createOnnxModel(ortNode, { name: "synthetic wide-vocabulary graph", graph: syntheticGraph() }, { vocabSize: QWEN_VOCAB, sessionOptions: NO_SPINNING });
  const { codec, name } = codecFrom(QWEN_TOKENIZER_DIR);
  return { engine: engineOf(model, codec), graph: `SYNTHETIC graph (Gather [151936, 16] -> rows -> MatMul, top-2 in graph), ${name}`, synthetic: true };
}
