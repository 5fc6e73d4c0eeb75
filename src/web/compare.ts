/**
 * Compare: the same prompt, length, seed and temperature decoded with two settings (A, B),
 * one after the other on the one worker, each drawn live in its own view, with NFE, time and
 * answer side by side.
 */
import type { GenerateOptions } from "../decoding/types.ts";
import type { DllmClient } from "../index.ts";
import { parseDelimiterThreshold } from "./controls.ts";
import { byId, describeError, setText } from "./dom.ts";
import { RunView } from "./run-view.ts";

export interface CompareBase {
  prompt: string;
  options: Partial<GenerateOptions>;
  vocab: readonly string[];
  backend: string;
}

interface Side {
  settings: HTMLFormElement;
  summary: HTMLElement;
  view: RunView;
}

function readSettings(form: HTMLFormElement): Partial<GenerateOptions> {
  const value = (name: string): string => {
    const node = form.elements.namedItem(name);
    if (!(node instanceof HTMLInputElement || node instanceof HTMLSelectElement)) throw new Error(`compare settings lack "${name}"`);
    return node.value;
  };
  return {
    decoder: value("decoder") as GenerateOptions["decoder"],
    blockSize: Number(value("blockSize")),
    threshold: Number(value("threshold")),
    delimiterThreshold: parseDelimiterThreshold(value("delimiterThreshold")),
  };
}

export class ComparePanel {
  private readonly sides: Side[] = ["a", "b"].map((name) => ({
    settings: byId(`compare-${name}`, HTMLFormElement),
    summary: byId(`compare-${name}-summary`, HTMLElement),
    view: new RunView(byId(`compare-${name}-view`, HTMLElement)),
  }));

  constructor(private readonly client: DllmClient) {}

  /** Runs A then B; a Stop during A skips B. Errors end up in the side's summary. */
  async run(base: CompareBase): Promise<void> {
    for (const side of this.sides) setText(side.summary, "");
    for (const [index, side] of this.sides.entries()) {
      const label = index === 0 ? "A" : "B";
      try {
        const options = { ...base.options, ...readSettings(side.settings) };
        // Steps only matter for the fixed decoder; one pass per token keeps any block size valid.
        if (options.decoder === "fixed") options.steps = options.genLength;
        const resolved = await this.client.resolve(base.prompt, options);
        side.view.start(resolved.promptLength, resolved.options.genLength, base.vocab, base.backend);
        const result = await this.client.generate(base.prompt, resolved.options, (event) => side.view.push(event));
        side.view.finish(result);
        setText(
          side.summary,
          `${label}: ${resolved.options.decoder}, NFE ${result.nfe}, ${(result.ms / 1000).toFixed(2)} s, ` +
            `${result.blocks.length} blocks, ${result.stopReason}, answer: ${JSON.stringify(result.text)}`,
        );
        side.summary.dataset.nfe = String(result.nfe);
        if (result.stopReason === "aborted") break;
      } catch (error) {
        setText(side.summary, `${label}: ${describeError(error)}`);
        break;
      }
    }
  }
}
