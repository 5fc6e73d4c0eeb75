/**
 * The text side of a model: a thin wrapper over @huggingface/tokenizers (the only tokenizer
 * implementation in the project) that exposes what the engine needs.
 */
import { Tokenizer } from "@huggingface/tokenizers";

export interface TextCodec {
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** The vocabulary entry of one id, e.g. "▁apples". */
  piece(id: number): string;
  /** One token as text for display, e.g. " apples" (word-boundary markers become spaces). */
  tokenText(id: number): string;
  /** The id of a vocabulary entry, or undefined when the tokenizer lacks it. */
  idOf(piece: string): number | undefined;
  readonly vocabSize: number;
}

/** Metaspace (SentencePiece) and byte-level (GPT-2) markers for spaces and newlines. */
function displayText(piece: string): string {
  return piece.replace(/\u2581/g, " ").replace(/\u0120/g, " ").replace(/\u010a/g, "\n");
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
    // The library rejects an empty list; an empty prompt or generation decodes to "".
    decode: (tokenIds) => (tokenIds.length === 0 ? "" : tokenizer.decode([...tokenIds], { skip_special_tokens: false })),
    piece: (id) => pieces[id] ?? `[${id}]`,
    tokenText: (id) => displayText(pieces[id] ?? `[${id}]`),
    idOf: (piece) => ids.get(piece),
    vocabSize: pieces.length,
  };
}
