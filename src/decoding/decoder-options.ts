/**
 * Which decoders read each decoder-specific generation option. An option not listed here
 * (genLength, blockSize, temperature, seed, cache) is read by every decoder. The one table
 * behind everything that tells a user which settings matter: the page disables the fields
 * the chosen decoder ignores (src/web/controls.ts), and the CLI rejects their flags
 * (cli/args.ts) instead of accepting them silently.
 */
import { DECODERS } from "./options.ts";
import type { DecoderName, GenerateOptions } from "./types.ts";

/** Mirrors createDecoder in strategies.ts: fixed ranks by top-k, the others commit by a rule. */
export const DECODER_SPECIFIC: Readonly<Partial<Record<keyof GenerateOptions, readonly DecoderName[]>>> = {
  steps: ["fixed"],
  remasking: ["fixed"],
  // AdaBlock reads one of the two, the one its innerRule names.
  threshold: ["threshold", "adablock"],
  factor: ["factor", "adablock"],
  delimiterThreshold: ["adablock"],
  delimiters: ["adablock"],
  innerRule: ["adablock"],
};

/** The decoders that read `option`: every decoder, unless it is decoder-specific. */
export function decodersReading(option: keyof GenerateOptions): readonly DecoderName[] {
  return DECODER_SPECIFIC[option] ?? DECODERS;
}
