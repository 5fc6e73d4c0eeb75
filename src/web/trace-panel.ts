/**
 * Trace export and replay. Export writes the last live run in the CLI's --trace format (JSON
 * lines, src/decoding/trace.ts); import parses such a file and replays it with a step slider.
 * Replay needs no model: token texts come from the trace itself.
 */
import { parseTrace, serializeTrace, TRACE_VERSION, type Trace } from "../decoding/trace.ts";
import type { GenerateResult, StepEvent } from "../decoding/types.ts";
import type { LoadReport, ResolvedRun } from "../index.ts";
import { byId, describeError, setText } from "./dom.ts";
import { RunView } from "./run-view.ts";

export interface RecordedRun {
  prompt: string;
  resolved: ResolvedRun;
  steps: StepEvent[];
  result: GenerateResult;
  report: LoadReport;
}

/**
 * Pieces for the token ids a trace shows: committed tokens carry their text, so every id
 * committed somewhere in the run can be named; other predicted ids show as #id.
 */
export function vocabFromSteps(steps: readonly StepEvent[]): string[] {
  const vocab: string[] = [];
  for (const step of steps) {
    step.committed.tokenIds.forEach((id, k) => {
      vocab[id] = step.committed.texts[k] ?? `#${id}`;
    });
  }
  return vocab;
}

export class TracePanel {
  private readonly exportButton = byId("export-trace", HTMLButtonElement);
  private readonly importInput = byId("import-trace", HTMLInputElement);
  private readonly slider = byId("replay-step", HTMLInputElement);
  private readonly label = byId("replay-label", HTMLElement);
  private readonly error = byId("trace-error", HTMLElement);
  private readonly view = new RunView(byId("replay", HTMLElement));
  private lastRun: Trace | null = null;
  private replayed: { trace: Trace; vocab: string[] } | null = null;

  /** `onLoad` hears of every trace loaded (the page replays it in the live view's player too). */
  constructor(private readonly onLoad?: (trace: Trace, vocab: string[]) => void) {
    this.exportButton.addEventListener("click", () => this.exportLastRun());
    this.importInput.addEventListener("change", () => void this.importFile());
    this.slider.addEventListener("input", () => this.showStep(Number(this.slider.value)));
  }

  setLastRun(run: RecordedRun): void {
    this.lastRun = {
      header: {
        type: "header",
        version: TRACE_VERSION,
        prompt: run.prompt,
        promptTokens: run.resolved.promptTokens,
        options: run.resolved.options,
        model: run.report.modelUrl,
      },
      steps: run.steps,
      result: run.result,
    };
    this.exportButton.disabled = false;
  }

  private exportLastRun(): void {
    if (!this.lastRun) return;
    const blob = new Blob([serializeTrace(this.lastRun)], { type: "application/x-ndjson" });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = `dllm-trace-${this.lastRun.header.options.decoder}-${new Date().toISOString().replaceAll(":", "-")}.jsonl`;
    link.click();
    // The download has its own copy once started; the next task can free the URL.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  private async importFile(): Promise<void> {
    const file = this.importInput.files?.[0];
    if (!file) return;
    setText(this.error, "");
    try {
      const trace = parseTrace(await file.text());
      this.replayed = { trace, vocab: vocabFromSteps(trace.steps) };
      this.slider.max = String(trace.steps.length);
      this.slider.value = String(trace.steps.length);
      this.slider.disabled = false;
      this.showStep(trace.steps.length);
      this.onLoad?.(trace, this.replayed.vocab);
    } catch (error) {
      setText(this.error, `${file.name}: ${describeError(error)}`);
    } finally {
      this.importInput.value = "";
    }
  }

  private showStep(count: number): void {
    if (!this.replayed) return;
    const { trace, vocab } = this.replayed;
    const { header, steps, result } = trace;
    this.view.showRecorded(result.promptLength, header.options.genLength, steps, count, vocab, `replay of ${header.model}`, { promptTokens: header.promptTokens });
    if (count === steps.length) this.view.showText(result.text);
    setText(this.label, `step ${count} of ${steps.length} · ${header.options.decoder} · ${JSON.stringify(header.prompt.slice(0, 60))}`);
    this.label.dataset.total = String(steps.length);
  }
}
