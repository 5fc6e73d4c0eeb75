/**
 * How one token's text is drawn in a cell: special tokens ([EOS], <|im_end|>, padding) as
 * named chips, whitespace as visible marks (· space, ↵ newline, ⇥ tab) so a cell is never an
 * empty box or a glyph the font lacks. Pure: the DOM side is token-row.ts.
 */

/** Names special tokens are spelled with when the tokenizer's own list is not at hand (a trace replay). */
const SPECIAL_SHAPE = /^(<\|[^|<>\s]+\|>|\[[A-Z][A-Z_]*\]|<\/?s>|<(pad|unk|mask|eos|bos)>)$/;

/**
 * Whether `text` is a special token: in the model's list of special-token names, or shaped
 * like one (`<|name|>`, `[NAME]`, `</s>`).
 */
export function isSpecialToken(text: string, specialNames: ReadonlySet<string> = new Set()): boolean {
  return specialNames.has(text) || SPECIAL_SHAPE.test(text);
}

/** The chip's label: the special token's name without its brackets (`<|im_end|>` -> `im_end`, `[EOS]` -> `EOS`). */
export function chipLabel(name: string): string {
  const inner = /^<\|(.+)\|>$/.exec(name) ?? /^\[(.+)\]$/.exec(name) ?? /^<(.+)>$/.exec(name);
  return inner ? inner[1]! : name;
}

const WHITESPACE_MARKS: Record<string, string> = { " ": "·", "\n": "↵", "\t": "⇥", "\r": "␍", "\u00a0": "⍽" };

/** A run of a token's text: plain characters, or whitespace drawn as marks. */
export interface TextPart {
  text: string;
  whitespace: boolean;
}

/** Splits a token's text into plain runs and whitespace marks; an empty token shows as ∅. */
export function textParts(text: string): TextPart[] {
  if (text === "") return [{ text: "∅", whitespace: true }];
  const parts: TextPart[] = [];
  for (const char of text) {
    const mark = WHITESPACE_MARKS[char];
    const whitespace = mark !== undefined;
    const shown = mark ?? char;
    const last = parts.at(-1);
    if (last && last.whitespace === whitespace) last.text += shown;
    else parts.push({ text: shown, whitespace });
  }
  return parts;
}

/** What a cell shows, as one string: the chip label or the text with whitespace marks. */
export function displayToken(text: string, specialNames?: ReadonlySet<string>): string {
  if (isSpecialToken(text, specialNames)) return chipLabel(text);
  return textParts(text)
    .map((part) => part.text)
    .join("");
}

/** Whether the token ends a line (a newline in its text), so the canvas breaks the line after it. */
export function endsLine(text: string): boolean {
  return text.endsWith("\n");
}

/** The model's special-token names, from a load report's ids and vocabulary. */
export function specialTokenNames(report: { specialTokenIds: readonly number[]; vocab: readonly string[] }): Set<string> {
  return new Set(report.specialTokenIds.flatMap((id) => (report.vocab[id] !== undefined ? [report.vocab[id]!] : [])));
}
