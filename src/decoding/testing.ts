/**
 * Test doubles: a character-level codec and a model whose logits come from a function, so
 * rule and engine tests can use small hand-made logit tables.
 */
import type { ModelConfig } from "../model/model-folder.ts";
import { rowsFromLogits, type ForwardModel, type RowRequest, type WindowModel } from "../model/forward-model.ts";
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
    specialTokenIds: [],
    newlineTokenIds: () => pieces.flatMap((p, id) => (p.includes("\n") ? [id] : [])),
  };
}

/** Logits for one position: a row of the vocabulary size. */
export type LogitsFn = (canvas: Int32Array, position: number, pass: number) => ArrayLike<number>;

/** The rows [from, to) of a logits function, as a model hands them back. */
export function logitsRows(vocabSize: number, logitsOf: LogitsFn, canvas: Int32Array, from: number, to: number, pass: number): Float32Array {
  const out = new Float32Array((to - from) * vocabSize);
  for (let p = from; p < to; p++) out.set(logitsOf(canvas, p, pass), (p - from) * vocabSize);
  return out;
}

export function fakeModel(vocabSize: number, logitsOf: LogitsFn): ForwardModel & { passes: number } {
  const model = {
    vocabSize,
    attention: "bidirectional" as const,
    passes: 0,
    async forward(inputIds: Int32Array, rows: RowRequest) {
      const out = logitsRows(vocabSize, logitsOf, inputIds, rows.from, rows.to, model.passes);
      model.passes++;
      return rowsFromLogits(out, vocabSize, rows);
    },
    async dispose() {},
  };
  return model;
}

/** One KV-cache pass as the fake saw it: the window [start, start + length) and how many cached positions. */
export interface WindowCall {
  start: number;
  length: number;
  past: number;
}

/**
 * A KV-cache model over the same logits function: each position's "key" is (position, token),
 * so a window pass sees the window's current tokens and the cached positions' tokens as they were
 * when cached: exactly what a cache keeps. (Unlike a transformer, nothing else goes stale.)
 */
export function fakeWindowModel(vocabSize: number, logitsOf: LogitsFn): WindowModel & { calls: WindowCall[] } {
  const kvShape = { layers: 1, heads: 1, headDim: 2 };
  const calls: WindowCall[] = [];
  return {
    vocabSize,
    kvShape,
    calls,
    async forwardWindow(windowIds, start, pastKeys, _pastValues, rows) {
      const past = pastKeys.length / 2;
      const seen = new Int32Array(past + windowIds.length);
      for (let i = 0; i < past; i++) seen[pastKeys[2 * i]!] = pastKeys[2 * i + 1]!;
      seen.set(windowIds, start);
      const keys = new Float32Array(windowIds.length * 2);
      for (let i = 0; i < windowIds.length; i++) keys.set([start + i, windowIds[i]!], 2 * i);
      const logits = logitsRows(vocabSize, logitsOf, seen, rows.from, rows.to, calls.length);
      calls.push({ start, length: windowIds.length, past });
      return { rows: rowsFromLogits(logits, vocabSize, rows), keys, values: keys.slice() };
    },
    async dispose() {},
  };
}

/** A row with `logit` at each given id (others 0): softmax(logit) picks the confidence. */
export function row(vocabSize: number, entries: Record<number, number>): Float32Array {
  const out = new Float32Array(vocabSize);
  for (const [id, logit] of Object.entries(entries)) out[Number(id)] = logit;
  return out;
}

export function fakeEngine(
  logitsOf: LogitsFn,
  overrides: Partial<ModelConfig> = {},
): Omit<EngineModel, "kvModel"> & { model: { passes: number }; kvModel: () => Promise<ReturnType<typeof fakeWindowModel>> } {
  const codec = fakeCodec();
  const windowModel = fakeWindowModel(codec.vocabSize, logitsOf);
  return {
    codec,
    model: fakeModel(codec.vocabSize, logitsOf),
    kvModel: async () => windowModel,
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
