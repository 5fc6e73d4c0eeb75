/**
 * The text side of a model: a thin wrapper over @huggingface/tokenizers that exposes what the
 * engine needs. Encoding goes through our own Unigram encoder (unigram-encoder.ts, the library's
 * rules in typed arrays) where it supports the tokenizer, and through the library otherwise.
 */
import { Tokenizer } from "@huggingface/tokenizers";
import { createUnigramEncoder } from "./unigram-encoder.ts";

export interface DecodeOptions {
  /** Drop added special tokens (`<|im_end|>`, `[EOS]`) from the text; default false. */
  skipSpecialTokens?: boolean;
}

export interface TextCodec {
  encode(text: string): number[];
  decode(ids: readonly number[], options?: DecodeOptions): string;
  /** The vocabulary entry of one id, e.g. "▁apples" or "Ġapples". */
  piece(id: number): string;
  /** One token as text for display, e.g. " apples" (word-boundary and byte-level markers decoded). */
  tokenText(id: number): string;
  /**
   * The id of a vocabulary entry, or undefined when the tokenizer lacks it. A byte-level
   * tokenizer also finds plain text written in its byte alphabet ("\n" -> "Ċ").
   */
  idOf(piece: string): number | undefined;
  /** One more than the highest id (added tokens included); ids below it may be unused. */
  readonly vocabSize: number;
  /** Ids of the added tokens marked special (`<|im_end|>`, `<|mask|>`): never shown as text. */
  readonly specialTokenIds: readonly number[];
  /** Ids of the (non-special) tokens whose text contains a newline, ascending. */
  newlineTokenIds(): number[];
}

/**
 * GPT-2's byte-level alphabet: every byte as one printable character (bytes_to_unicode in
 * tokenizers), so "\n" (0x0a) is "Ċ" and " " is "Ġ".
 */
function byteLevelAlphabet(): { toChar: string[]; toByte: Map<string, number> } {
  const toChar: string[] = [];
  let extra = 0;
  for (let byte = 0; byte < 256; byte++) {
    const printable = (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
    toChar[byte] = String.fromCharCode(printable ? byte : 256 + extra++);
  }
  return { toChar, toByte: new Map(toChar.map((char, byte) => [char, byte])) };
}

/** Whether the tokenizer decodes with GPT-2's byte-level alphabet (Qwen, GPT-2, Llama 3). */
function isByteLevel(tokenizerJson: object): boolean {
  const decoder = (tokenizerJson as { decoder?: { type?: string; decoders?: { type?: string }[] } | null }).decoder;
  return decoder?.type === "ByteLevel" || (decoder?.decoders ?? []).some((d) => d.type === "ByteLevel");
}

/** Metaspace (SentencePiece) markers for spaces, and byte-fallback pieces ("<0x0A>"). */
function displayText(piece: string): string {
  const byte = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece);
  if (byte) return String.fromCharCode(Number.parseInt(byte[1]!, 16));
  return piece.replace(/\u2581/g, " ");
}

export function createTextCodec(tokenizerJson: object, tokenizerConfig: object): TextCodec {
  const tokenizer = new Tokenizer(tokenizerJson as never, tokenizerConfig as never);
  // The library's Unigram lattice is slow enough to show in a generation's time; the fast
  // encoder gives the same ids for the tokenizers it supports (the shipped model's kind).
  const fastEncode = createUnigramEncoder(tokenizerJson, tokenizerConfig);
  const json = tokenizerJson as { model?: { vocab?: unknown }; added_tokens?: { id: number; content: string; special?: boolean }[] };
  const vocab = json.model?.vocab;
  // Unigram lists [piece, score] pairs; BPE and WordPiece map piece -> id. Added tokens may sit
  // above the model's vocabulary (Qwen's specials start at 151643), leaving unused ids between.
  const pieces: string[] = Array.isArray(vocab)
    ? vocab.map((entry) => (Array.isArray(entry) ? String(entry[0]) : String(entry)))
    : [];
  if (!Array.isArray(vocab)) for (const [piece, id] of Object.entries((vocab ?? {}) as Record<string, number>)) pieces[id] = piece;
  const special = new Set<number>();
  for (const token of json.added_tokens ?? []) {
    pieces[token.id] = token.content;
    if (token.special) special.add(token.id);
  }
  const ids = new Map<string, number>();
  pieces.forEach((piece, id) => {
    if (!ids.has(piece)) ids.set(piece, id);
  });

  const byteLevel = isByteLevel(tokenizerJson) ? byteLevelAlphabet() : undefined;
  const utf8 = new TextDecoder("utf-8", { fatal: false });
  const text = (piece: string): string => {
    if (!byteLevel) return displayText(piece);
    const bytes = [...piece].map((char) => byteLevel.toByte.get(char));
    // Added tokens ("<|im_end|>") are stored as plain text, not in the byte alphabet.
    return bytes.every((b) => b !== undefined) ? utf8.decode(new Uint8Array(bytes as number[])) : piece;
  };
  const inAlphabet = (plain: string): string | undefined =>
    byteLevel ? Array.from(new TextEncoder().encode(plain), (b) => byteLevel.toChar[b]).join("") : undefined;

  return {
    encode: fastEncode ?? ((input) => tokenizer.encode(input, { add_special_tokens: false }).ids),
    // The library rejects an empty list; an empty prompt or generation decodes to "".
    decode: (tokenIds, options = {}) =>
      tokenIds.length === 0 ? "" : tokenizer.decode([...tokenIds], { skip_special_tokens: options.skipSpecialTokens === true }),
    piece: (id) => pieces[id] ?? `[${id}]`,
    tokenText: (id) => (special.has(id) ? (pieces[id] ?? `[${id}]`) : text(pieces[id] ?? `[${id}]`)),
    idOf: (piece) => ids.get(piece) ?? ids.get(inAlphabet(piece) ?? piece),
    vocabSize: pieces.length,
    specialTokenIds: [...special].sort((a, b) => a - b),
    newlineTokenIds: () => {
      const out: number[] = [];
      pieces.forEach((piece, id) => {
        if (piece !== undefined && !special.has(id) && text(piece).includes("\n")) out.push(id);
      });
      return out;
    },
  };
}
