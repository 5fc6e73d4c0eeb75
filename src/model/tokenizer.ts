/**
 * The text side of a model: a thin wrapper over @huggingface/tokenizers (the only tokenizer
 * implementation in the project) that exposes what the engine needs.
 */
import { Tokenizer } from "@huggingface/tokenizers";

export interface TextCodec {
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** The vocabulary entry of one id, e.g. "▁apples", for display. */
  tokenText(id: number): string;
  /** The id of a vocabulary entry, or undefined when the tokenizer lacks it. */
  idOf(piece: string): number | undefined;
  readonly vocabSize: number;
}

export function createTextCodec(tokenizerJson: object, tokenizerConfig: object): TextCodec {
  const tokenizer = new Tokenizer(tokenizerJson as never, tokenizerConfig as never);
  const vocab = (tokenizerJson as { model?: { vocab?: unknown } }).model?.vocab;
  const pieces: string[] = Array.isArray(vocab)
    ? vocab.map((entry) => (Array.isArray(entry) ? String(entry[0]) : String(entry)))
    : Object.entries((vocab ?? {}) as Record<string, number>).sort((a, b) => a[1] - b[1]).map(([piece]) => piece);
  const ids = new Map(pieces.map((piece, id) => [piece, id]));
  return {
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids,
    decode: (tokenIds) => tokenizer.decode([...tokenIds], { skip_special_tokens: false }),
    tokenText: (id) => pieces[id] ?? `[${id}]`,
    idOf: (piece) => ids.get(piece),
    vocabSize: pieces.length,
  };
}
