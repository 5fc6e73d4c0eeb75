/**
 * The models the page and the CLI offer by name. Sizes of the real exports are approximate, as
 * stated in ../shared/REAL-MODELS.md (collected from the kohra project and the model cards);
 * they were not re-measured here.
 */
import type { Attention } from "./forward-model.ts";
import type { GraphVariant } from "./model-source.ts";

export interface CatalogModel {
  /** What the CLI's --model and the page's picker take: "dllm-tiny", or a hub repo id. */
  id: string;
  label: string;
  /** "embedded": shipped in public/models/ (served by the page, a local folder for Node); "hub": downloaded. */
  kind: "embedded" | "hub";
  /** The embedded folder, relative to public/ ("models/dllm-tiny/"). */
  path?: string;
  attention: Attention;
  /** The graphs by dtype, first = the default for the browser; `bytes` approximate, graph plus data. */
  variants: GraphVariant[];
  /** What was checked, and how. */
  verified: string;
}

const QWEN_VARIANTS: GraphVariant[] = [
  { dtype: "fp16", file: "onnx/model_fp16_fused.onnx", bytes: 1_500_000_000, backends: ["webgpu", "wasm", "cpu"] },
  { dtype: "q4f16", file: "onnx/model_q4f16_rtn_sym.onnx", bytes: 680_000_000, backends: ["webgpu", "wasm", "cpu"] },
];

const QWEN_VERIFIED =
  "Not downloaded here (no hub access from this machine): file names, sizes (about 1.5 GB fp16, 680 MB q4f16) and ids " +
  "(<|mask|> 151669, <|im_end|> 151645) are as REAL-MODELS.md reports them. The same layout was loaded from a local " +
  "replica (model/replica: Qwen3's config and special ids, a 151,936-row graph, fp16 and q4f16 graphs with external " +
  "data), from its path and by repo id from a local hub, in Node and the CLI (src/node/replica.test.ts).";

export const CATALOG: readonly CatalogModel[] = [
  {
    id: "dllm-tiny",
    label: "dllm-tiny (5.77M parameters, embedded: int8 10.1 MB on WASM, fp32 23.2 MB on WebGPU)",
    kind: "embedded",
    path: "models/dllm-tiny/",
    attention: "bidirectional",
    variants: [
      { dtype: "q8", file: "onnx/model_quantized.onnx", bytes: 10_549_410, backends: ["wasm", "cpu"] },
      { dtype: "fp32", file: "onnx/model.onnx", bytes: 16_828_750, backends: ["webgpu", "wasm", "cpu"] },
    ],
    verified: "Shipped and tested with every decoder in Node and the page (public/models/dllm-tiny/README.md).",
  },
  {
    id: "naklitechie/Qwen3-0.6B-diffusion-mdlm-ONNX",
    label: "Qwen3-0.6B MDLM (bidirectional; fp16 about 1.5 GB, q4f16 about 680 MB)",
    kind: "hub",
    attention: "bidirectional",
    variants: QWEN_VARIANTS,
    verified: QWEN_VERIFIED,
  },
  {
    id: "naklitechie/Qwen3-0.6B-diffusion-bd3lm-ONNX",
    label: "Qwen3-0.6B BD3LM (block-causal, blocks of 32; fp16 about 1.5 GB, q4f16 about 680 MB)",
    kind: "hub",
    attention: "block-causal",
    variants: QWEN_VARIANTS,
    verified: QWEN_VERIFIED,
  },
];

export const DEFAULT_MODEL_ID = "dllm-tiny";

/** The catalog entry of a model name, if it is one (repo ids compare case-insensitively, as the hub does). */
export function catalogModel(id: string): CatalogModel | undefined {
  const wanted = id.replace(/\/+$/, "").toLowerCase();
  return CATALOG.find((model) => model.id.toLowerCase() === wanted);
}
