/**
 * The one decoding loop. Canvas = prompt ++ [MASK] * L; each iteration is one forward pass
 * (one NFE): predict every masked position, open a block when the last one is done (the
 * decoder's schedule decides where it ends, reusing this pass's predictions), commit what the
 * decoder's rule selects inside the block, and report the pass as a StepEvent. How a pass runs
 * (the whole canvas, or a window against a KV cache) is the forward plan of the `cache` option.
 */
import { createRandom } from "../util/random.ts";
import type { ModelConfig } from "../model/model-folder.ts";
import type { ForwardModel, RowRequest, WindowModel } from "../model/forward-model.ts";
import type { TextCodec } from "../model/tokenizer.ts";
import { OptionError } from "../errors.ts";
import { checkPrompt, delimiterIds, resolveOptions } from "./options.ts";
import { cachedPasses, fullPasses, type ForwardPlan } from "./forward-plan.ts";
import { noiseFor, predictionFrom, type Prediction } from "./predict.ts";
import { createDecoder } from "./strategies.ts";
import type { BlockDecision, GenerateOptions, GenerateResult, StepEvent, StopReason } from "./types.ts";

export { DEFAULT_OPTIONS, resolveOptions } from "./options.ts";

export interface EngineModel {
  model: ForwardModel;
  codec: TextCodec;
  config: ModelConfig;
  /** Opens the model's KV-cache graph (loaded on first use); cache modes other than none need it. */
  kvModel?: () => Promise<WindowModel>;
}

export interface GenerateHooks {
  onStep?: (event: StepEvent) => void;
  /**
   * With onStep: predict every masked position for the event (the volatility band): each pass
   * then computes the output head on every masked row, not only the block's (and AdaBlock's
   * window). false = only what the decoder needed; other masked positions then carry tokenId
   * -1 and confidence NaN. Default true. (With cache "dual", a block's later passes compute
   * no rows past the block: -1 and NaN there too.)
   */
  band?: boolean;
  signal?: AbortSignal;
}

const now = (): number => globalThis.performance.now();

async function forwardPlan(engine: EngineModel, cache: GenerateOptions["cache"]): Promise<ForwardPlan> {
  if (cache === "none") return fullPasses(engine.model);
  if (!engine.kvModel) throw new OptionError("cache", `"${cache}" needs the model's KV-cache graph (onnx/model_kv.onnx), and this engine has none`);
  return cachedPasses(await engine.kvModel(), cache);
}

/** Generation stops once an end token is committed with nothing masked before it. */
function eosReached(canvas: Int32Array, from: number, eos: ReadonlySet<number>, mask: number): boolean {
  for (let i = from; i < canvas.length; i++) {
    if (canvas[i] === mask) return false;
    if (eos.has(canvas[i]!)) return true;
  }
  return false;
}

/**
 * The generated text as it continues the prompt: decoders such as SentencePiece's drop the
 * leading space of a sequence's first token, so the tokens are decoded after the prompt.
 */
function continuation(codec: TextCodec, promptIds: readonly number[], tokens: readonly number[]): string {
  // Special tokens (chat markers, padding) are never answer text.
  const skip = { skipSpecialTokens: true };
  const prompt = codec.decode(promptIds, skip);
  const whole = codec.decode([...promptIds, ...tokens], skip);
  return whole.startsWith(prompt) ? whole.slice(prompt.length) : codec.decode(tokens, skip);
}

export async function generate(
  engine: EngineModel,
  prompt: string,
  options: Partial<GenerateOptions> = {},
  hooks: GenerateHooks = {},
): Promise<GenerateResult> {
  const started = now();
  const { model, codec, config } = engine;
  const promptIds = codec.encode(checkPrompt(prompt));
  const resolved = resolveOptions(options, engine, promptIds.length);
  const promptLength = promptIds.length;
  const genEnd = promptLength + resolved.genLength;
  const mask = config.maskTokenId;
  // Any of the model's end tokens ends the answer (Qwen3: <|im_end|> and <|endoftext|>).
  const eos = new Set(config.eosTokenIds ?? [config.eosTokenId]);
  const canvas = new Int32Array(genEnd).fill(mask);
  canvas.set(promptIds);
  // Ranks for remasking = "random"; sampling noise is derived per position (noiseFor).
  const rankRandom = createRandom(resolved.seed);
  // A block-causal model (BD3LM) decodes fixed blocks on the grid it was trained on.
  const decoder = createDecoder(resolved, delimiterIds(resolved.delimiters, codec), genEnd, rankRandom, model.attention === "block-causal");
  const band = hooks.onStep !== undefined && hooks.band !== false;
  // Temperature 0 needs each row's top tokens only (16 bytes a row); sampling needs whole rows.
  const output: RowRequest["output"] = resolved.temperature > 0 ? "logits" : "top";
  const plan = await forwardPlan(engine, resolved.cache);

  const blocks: [number, number][] = [];
  let blockEnd = promptLength;
  let stepInBlock = 0;
  let nfe = 0;
  let stopReason: StopReason = "length";
  for (;;) {
    const firstMasked = canvas.indexOf(mask, promptLength);
    if (firstMasked < 0) break;
    if (hooks.signal?.aborted) {
      stopReason = "aborted";
      break;
    }
    const blockStart = firstMasked >= blockEnd;
    // Positions before the first mask are settled: no rows for them. The rules read only the
    // block (and, at its opening, AdaBlock's window); the band reads every masked position.
    const rowsEnd = band ? genEnd : blockStart ? decoder.schedule.reach(firstMasked, firstMasked - promptLength) : blockEnd;
    // Block-causal models attend by the blocks so far; an opening pass sees the rest as one block.
    const rows = await plan.run(canvas, { from: firstMasked, to: rowsEnd, output }, blockStart, { promptLength, blocks });
    // With a cache, the rows may end at the block's end.
    const rowsTo = rows.to;
    const pass = nfe++;
    // Predictions are computed on demand: with full rows a softmax over the vocabulary per
    // position is the engine's main cost, and the rules only need the block.
    const predictions = new Map<number, Prediction>();
    const prediction = (position: number): Prediction => {
      let p = predictions.get(position);
      if (p === undefined) {
        if (position < firstMasked || position >= rowsTo) throw new RangeError(`position ${position} has no prediction in this pass (rows [${firstMasked}, ${rowsTo}))`);
        const noise = resolved.temperature > 0 ? noiseFor(resolved.seed, pass, position) : undefined;
        p = predictionFrom(rows, position, model.vocabSize, resolved.temperature, noise, mask);
        predictions.set(position, p);
      }
      return p;
    };

    let decision: BlockDecision | undefined;
    if (blockStart) {
      const opened = decoder.schedule.open({ start: firstMasked, generated: firstMasked - promptLength, prediction });
      blockEnd = opened.end;
      decision = opened.decision;
      blocks.push([firstMasked, blockEnd]);
      plan.blockOpened(firstMasked, blockEnd);
      stepInBlock = 0;
    }
    const block = blocks[blocks.length - 1]!;
    const candidates: number[] = [];
    for (let p = firstMasked; p < blockEnd; p++) if (canvas[p] === mask) candidates.push(p);
    const confidences = Float64Array.from(candidates, (p) => prediction(p).confidence);
    const chosen = decoder.rule.select({ confidences, stepInBlock, blockSize: block[1] - block[0] }).map((i) => candidates[i]!).sort((a, b) => a - b);
    stepInBlock++;
    for (const p of chosen) canvas[p] = prediction(p).tokenId;

    if (hooks.onStep) {
      const stillMasked: number[] = [];
      for (let p = firstMasked; p < genEnd; p++) if (canvas[p] === mask) stillMasked.push(p);
      // The volatility band: every masked position's prediction, unless the caller opted out
      // (or a dual-cache pass computed no rows there).
      const shown = (p: number): boolean => p < rowsTo && (band || predictions.has(p));
      hooks.onStep({
        step: pass,
        nfe,
        block: [block[0], block[1]],
        blockStart,
        ...(decision ? { decision } : {}),
        committed: {
          positions: Int32Array.from(chosen),
          tokenIds: Int32Array.from(chosen, (p) => canvas[p]!),
          confidences: Float32Array.from(chosen, (p) => prediction(p).confidence),
          texts: chosen.map((p) => codec.tokenText(canvas[p]!)),
        },
        masked: {
          positions: Int32Array.from(stillMasked),
          tokenIds: Int32Array.from(stillMasked, (p) => (shown(p) ? prediction(p).tokenId : -1)),
          confidences: Float32Array.from(stillMasked, (p) => (shown(p) ? prediction(p).confidence : Number.NaN)),
        },
      });
    }
    // Positions before this pass's first mask were settled and EOS-free when the last pass
    // checked them, so the scan starts there rather than at the prompt's end (O(L) a pass).
    if (eosReached(canvas, firstMasked, eos, mask)) {
      stopReason = "eos";
      break;
    }
  }

  const generated = Array.from(canvas.subarray(promptLength));
  const eosAt = generated.findIndex((id) => eos.has(id));
  const tokens = eosAt >= 0 ? generated.slice(0, eosAt) : generated;
  return {
    text: continuation(codec, promptIds, tokens),
    tokens,
    nfe,
    blocks,
    stopReason,
    promptLength,
    ms: now() - started,
  };
}
