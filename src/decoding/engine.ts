/**
 * The one decoding loop. Canvas = prompt ++ [MASK] * L; each iteration is one forward pass
 * (one NFE): predict every masked position, open a block when the last one is done (the
 * decoder's schedule decides where it ends, reusing this pass's predictions), commit what the
 * decoder's rule selects inside the block, and report the pass as a StepEvent.
 */
import { createRandom } from "../util/random.ts";
import type { ModelConfig } from "../model/model-folder.ts";
import type { ForwardModel } from "../model/onnx-model.ts";
import type { TextCodec } from "../model/tokenizer.ts";
import { delimiterIds, resolveOptions } from "./options.ts";
import { predict } from "./predict.ts";
import { createDecoder } from "./strategies.ts";
import type { BlockDecision, GenerateOptions, GenerateResult, StepEvent, StopReason } from "./types.ts";

export { DEFAULT_OPTIONS, resolveOptions } from "./options.ts";

export interface EngineModel {
  model: ForwardModel;
  codec: TextCodec;
  config: ModelConfig;
}

export interface GenerateHooks {
  onStep?: (event: StepEvent) => void;
  signal?: AbortSignal;
}

const now = (): number => globalThis.performance.now();

/** Generation stops once an [EOS] is committed with nothing masked before it. */
function eosReached(canvas: Int32Array, from: number, eos: number, mask: number): boolean {
  for (let i = from; i < canvas.length; i++) {
    if (canvas[i] === mask) return false;
    if (canvas[i] === eos) return true;
  }
  return false;
}

export async function generate(
  engine: EngineModel,
  prompt: string,
  options: Partial<GenerateOptions> = {},
  hooks: GenerateHooks = {},
): Promise<GenerateResult> {
  const started = now();
  const { model, codec, config } = engine;
  const promptIds = codec.encode(prompt);
  const resolved = resolveOptions(options, engine, promptIds.length);
  const promptLength = promptIds.length;
  const genEnd = promptLength + resolved.genLength;
  const mask = config.maskTokenId;
  const canvas = new Int32Array(genEnd).fill(mask);
  canvas.set(promptIds);
  const random = createRandom(resolved.seed);
  const decoder = createDecoder(resolved, delimiterIds(resolved.delimiters, codec), genEnd, random);

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
    const logits = await model.forward(canvas, promptLength, genEnd);
    nfe++;
    const maskedPositions: number[] = [];
    for (let p = firstMasked; p < genEnd; p++) if (canvas[p] === mask) maskedPositions.push(p);
    const predictions = predict(logits, model.vocabSize, maskedPositions.map((p) => p - promptLength), resolved.temperature, random, mask);
    const slot = new Map(maskedPositions.map((p, i) => [p, i]));

    let decision: BlockDecision | undefined;
    const blockStart = firstMasked >= blockEnd;
    if (blockStart) {
      const opened = decoder.schedule.open({
        start: firstMasked,
        generated: firstMasked - promptLength,
        prediction: (position) => {
          const i = slot.get(position)!;
          return { tokenId: predictions.tokenIds[i]!, confidence: predictions.confidences[i]! };
        },
      });
      blockEnd = opened.end;
      decision = opened.decision;
      blocks.push([firstMasked, blockEnd]);
      stepInBlock = 0;
    }
    const block = blocks[blocks.length - 1]!;
    // Masked positions are in order and the block starts at the first one, so the block's
    // candidates are a prefix of the masked list.
    let inBlock = 0;
    while (inBlock < maskedPositions.length && maskedPositions[inBlock]! < blockEnd) inBlock++;
    const chosen = decoder.rule
      .select({ confidences: predictions.confidences.subarray(0, inBlock), stepInBlock, blockSize: block[1] - block[0] })
      .sort((a, b) => a - b);
    stepInBlock++;

    const committed = {
      positions: new Int32Array(chosen.length),
      tokenIds: new Int32Array(chosen.length),
      confidences: new Float32Array(chosen.length),
      texts: [] as string[],
    };
    chosen.forEach((i, k) => {
      const tokenId = predictions.tokenIds[i]!;
      canvas[maskedPositions[i]!] = tokenId;
      committed.positions[k] = maskedPositions[i]!;
      committed.tokenIds[k] = tokenId;
      committed.confidences[k] = predictions.confidences[i]!;
      committed.texts.push(codec.tokenText(tokenId));
    });
    const stillMasked = maskedPositions.map((_, i) => i).filter((i) => canvas[maskedPositions[i]!] === mask);
    hooks.onStep?.({
      step: nfe - 1,
      nfe,
      block: [block[0], block[1]],
      blockStart,
      ...(decision ? { decision } : {}),
      committed,
      masked: {
        positions: Int32Array.from(stillMasked, (i) => maskedPositions[i]!),
        tokenIds: Int32Array.from(stillMasked, (i) => predictions.tokenIds[i]!),
        confidences: Float32Array.from(stillMasked, (i) => predictions.confidences[i]!),
      },
    });
    if (eosReached(canvas, promptLength, config.eosTokenId, mask)) {
      stopReason = "eos";
      break;
    }
  }

  const generated = Array.from(canvas.subarray(promptLength));
  const eosAt = generated.indexOf(config.eosTokenId);
  const tokens = eosAt >= 0 ? generated.slice(0, eosAt) : generated;
  return {
    text: codec.decode(tokens),
    tokens,
    nfe,
    blocks,
    stopReason,
    promptLength,
    ms: now() - started,
  };
}
