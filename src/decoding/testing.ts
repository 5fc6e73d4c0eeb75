/**
 * Test doubles: a character-level codec and a model whose logits come from a function, so
 * rule and engine tests can use small hand-made logit tables.
 */
import type { ModelConfig } from "../model/model-folder.ts";
import type { ForwardModel } from "../model/onnx-model.ts";
import type { TextCodec } from "../model/tokenizer.ts";
import type { EngineModel } from "./engine.ts";

export const FAKE_PIECES = ["[PAD]", "[EOS]", "[MASK]", "\n", ".", ",", "a", "b", "c", "d", "e", "1", "2", "3", "+", "="];
export const [PAD, EOS, MASK, NEWLINE] = [0, 1, 2, 3];

export function fakeCodec(pieces: readonly string[] = FAKE_PIECES): TextCodec {
  const ids = new Map(pieces.map((p, i) => [p, i]));
  return {
    encode: (text) => [...text].map((ch) => ids.get(ch) ?? 0),
    decode: (tokens) => tokens.map((id) => pieces[id] ?? "?").join(""),
    piece: (id) => pieces[id] ?? "?",
    tokenText: (id) => pieces[id] ?? "?",
    idOf: (piece) => ids.get(piece),
    vocabSize: pieces.length,
  };
}

/** Logits for one position: a row of the vocabulary size. */
export type LogitsFn = (canvas: Int32Array, position: number, pass: number) => ArrayLike<number>;

export function fakeModel(vocabSize: number, logitsOf: LogitsFn): ForwardModel & { passes: number } {
  const model = {
    vocabSize,
    passes: 0,
    async forward(inputIds: Int32Array, from: number, to: number) {
      const out = new Float32Array((to - from) * vocabSize);
      for (let p = from; p < to; p++) out.set(logitsOf(inputIds, p, model.passes), (p - from) * vocabSize);
      model.passes++;
      return out;
    },
    async dispose() {},
  };
  return model;
}

/** A row with `logit` at each given id (others 0): softmax(logit) picks the confidence. */
export function row(vocabSize: number, entries: Record<number, number>): Float32Array {
  const out = new Float32Array(vocabSize);
  for (const [id, logit] of Object.entries(entries)) out[Number(id)] = logit;
  return out;
}

export function fakeEngine(logitsOf: LogitsFn, overrides: Partial<ModelConfig> = {}): EngineModel & { model: { passes: number } } {
  const codec = fakeCodec();
  return {
    codec,
    model: fakeModel(codec.vocabSize, logitsOf),
    config: {
      vocabSize: codec.vocabSize,
      maskTokenId: MASK,
      eosTokenId: EOS,
      padTokenId: PAD,
      maxSequenceLength: 512,
      delimiterTokenIds: [NEWLINE],
      ...overrides,
    },
  };
}
