/**
 * The core of the library: the engine, the decoders, model loading pieces and the errors, with no
 * DOM and no worker. Both entries re-export it: `dllm-web` (beside the worker client) and
 * `dllm-web/node` (beside the Node loader), so a program gets the same objects from either.
 */
export type { BackendChoice, BackendInfo, BackendName, EngineDiagnostics, LoadReport, LoadRequest, ResolvedRun } from "../workers/api.ts";
export type * from "./decoding/types.ts";
export { DEFAULT_OPTIONS, generate, resolveOptions, type EngineModel, type GenerateHooks } from "./decoding/engine.ts";
export { DECODERS, delimiterIds } from "./decoding/options.ts";
export { chooseAdaBlock, type AdaBlockInput } from "./decoding/block-adablock.ts";
export { selectThreshold } from "./decoding/commit-threshold.ts";
export { selectFactor } from "./decoding/commit-factor.ts";
export { selectTopK, tokensPerStep } from "./decoding/commit-top-k.ts";
export { createDecoder, type BlockSchedule, type CommitRule, type Decoder } from "./decoding/strategies.ts";
export { predictionFrom, predictRow, type Prediction } from "./decoding/predict.ts";
export { rowsFromLogits, TOP_K, type Attention, type BlockLayout, type PassRows, type RowOutput, type RowRequest } from "./model/forward-model.ts";
export {
  createOnnxModel,
  createOnnxWindowModel,
  type ForwardModel,
  type GraphSource,
  type KvShape,
  type OnnxModel,
  type OnnxWindowModel,
  type OrtModule,
  type WindowModel,
  type WindowPass,
} from "./model/onnx-model.ts";
export { cachedPasses, fullPasses, type ForwardPlan } from "./decoding/forward-plan.ts";
export { CACHE_MODES } from "./decoding/options.ts";
export { generateChatTurn, type ChatTurn } from "./decoding/chat.ts";
export { renderChat, stripThinking, type ChatMessage } from "./model/chat.ts";
export { CATALOG, catalogModel, type CatalogModel } from "./model/catalog.ts";
export { DTYPES, resolveModelSource, type Dtype, type ModelSource } from "./model/model-source.ts";
export type { PromptInput } from "../workers/api.ts";
export { fetchModelFiles, modelFolderFor, readModelMetadata, type FileProgress, type ModelConfig, type ModelFiles, type ModelFolder } from "./model/model-folder.ts";
export { chooseGraph } from "./model/model-source.ts";
export { loadGraphSource } from "./model/onnx-external-data.ts";
export { createTextCodec, type TextCodec } from "./model/tokenizer.ts";
export { parseTrace, serializeTrace, TRACE_VERSION, type Trace, type TraceHeader } from "./decoding/trace.ts";
export { InferenceError, ModelContractError, ModelLoadError, OptionError, TraceError, WorkerCrashError } from "./errors.ts";
