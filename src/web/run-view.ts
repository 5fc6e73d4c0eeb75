/**
 * One run on screen: stats, AdaBlock's decision, the token row, the heat map and the final
 * text. Step events are queued as they arrive and drawn once per animation frame; every event
 * is applied, in order, so a slow frame coalesces steps but never drops one. Hovering or
 * focusing a token cell, or hovering the heat map, shows that position's tooltip.
 */
import type { GenerateResult, StepEvent } from "../decoding/types.ts";
import { CellTooltip } from "./cell-tooltip.ts";
import { renderDecision } from "./decision-view.ts";
import { element, setText } from "./dom.ts";
import { Heatmap } from "./heatmap.ts";
import { applyStep, createRunState, type RunState } from "./run-state.ts";
import { runStats } from "./stats.ts";
import { TokenRow, type CanvasTokens } from "./token-row.ts";

export type RunStatus = "idle" | "running" | "done" | "stopped" | "error";

export class RunView {
  private state: RunState = createRunState(0, 0);
  private vocab: readonly string[] = [];
  private backend = "";
  private queue: StepEvent[] = [];
  private frame = 0;
  private startedAt = 0;
  private elapsedMs = 0;
  /** Counts runs shown, so a watcher can tell a new run from the previous one. */
  private runs = 0;
  private readonly stats = element("dl", "stats");
  private readonly decision = element("div", "decision");
  private readonly tokens = element("div", "tokens");
  private readonly heatCanvas = element("canvas", "heatmap");
  private readonly output = element("pre", "output");
  private readonly tooltip = new CellTooltip();
  private readonly tokenRow = new TokenRow(this.tokens, (cell) => this.showCell(cell));
  private readonly heatmap = new Heatmap(this.heatCanvas);
  /** The prompt's tokens and the model's special-token names, for the canvas. */
  private canvasTokens: CanvasTokens = {};
  /** Events applied by flush(); `source` is what the state was built from (these, or a recording). */
  private events: StepEvent[] = [];
  private source: readonly StepEvent[] = this.events;
  /** The token cell whose tooltip is open, kept up to date as passes arrive. */
  private hovered: HTMLElement | null = null;

  constructor(readonly root: HTMLElement) {
    root.classList.add("run-view");
    root.replaceChildren(this.stats, this.decision, this.tokens, this.heatmap.figure, this.output, this.tooltip.element);
    this.heatmap.onHover((hit, event) => {
      this.hovered = null;
      if (!hit) {
        this.tooltip.hide();
        return;
      }
      this.tooltip.showGenerated({ ...this.cellContext(), passes: hit.pass, index: hit.index, heatRow: hit.pass - 1 });
      const box = this.root.getBoundingClientRect();
      this.tooltip.place(event.clientX - box.left + 12, event.clientY - box.top + 16);
    });
    this.setStatus("idle");
  }

  get steps(): number {
    return this.state.steps;
  }

  /** Clears the view for a run of `genLength` positions after a prompt of `promptLength` tokens. */
  start(promptLength: number, genLength: number, vocab: readonly string[], backend: string, tokens: CanvasTokens = {}): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.queue = [];
    this.state = createRunState(promptLength, genLength);
    this.vocab = vocab;
    this.backend = backend;
    this.startedAt = performance.now();
    this.elapsedMs = 0;
    this.root.dataset.run = String(++this.runs);
    this.canvasTokens = tokens;
    this.events = [];
    this.source = this.events;
    this.hovered = null;
    this.tooltip.hide();
    this.tokenRow.reset(genLength, tokens);
    this.heatmap.reset(genLength);
    setText(this.output, "");
    delete this.output.dataset.stopReason;
    delete this.output.dataset.tokens;
    this.setStatus("running");
    this.draw();
  }

  push(event: StepEvent): void {
    this.queue.push(event);
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.flush());
  }

  /** Applies every queued event and draws the result: once per frame while running. */
  flush(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    // Live events extend this view's own record; a view driven by showPass keeps the player's.
    if (this.queue.length > 0) this.source = this.events;
    for (const event of this.queue) {
      applyStep(this.state, event);
      this.events.push(event);
    }
    this.queue = [];
    if (this.root.dataset.status === "running") this.elapsedMs = performance.now() - this.startedAt;
    this.draw();
  }

  finish(result: GenerateResult): void {
    this.flush();
    this.elapsedMs = result.ms;
    this.setStatus(result.stopReason === "aborted" ? "stopped" : "done");
    setText(this.output, result.text);
    this.output.dataset.stopReason = result.stopReason;
    this.output.dataset.tokens = result.tokens.join(",");
    this.draw();
  }

  fail(message: string): void {
    this.flush();
    this.setStatus("error");
    setText(this.output, message);
  }

  /** Shows the first `count` steps of a recorded run (trace replay). */
  showRecorded(
    promptLength: number,
    genLength: number,
    steps: readonly StepEvent[],
    count: number,
    vocab: readonly string[],
    label: string,
    tokens: CanvasTokens = {},
  ): void {
    this.start(promptLength, genLength, vocab, label, tokens);
    for (const event of steps.slice(0, count)) applyStep(this.state, event);
    this.source = steps;
    this.setStatus("done");
    this.elapsedMs = 0;
    this.draw();
  }

  /**
   * Shows the run as it stood after its first `count` passes of `steps` (playback, see
   * player.ts); the status, output and run counter stay. Moving forward applies only the new
   * passes; moving back rebuilds from the first.
   */
  showPass(steps: readonly StepEvent[], count: number): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.queue = [];
    if (count < this.state.steps) {
      this.state = createRunState(this.state.promptLength, this.state.genLength);
      this.heatmap.reset(this.state.genLength);
    }
    for (const event of steps.slice(this.state.steps, count)) applyStep(this.state, event);
    this.source = steps;
    if (this.root.dataset.status === "running") this.elapsedMs = performance.now() - this.startedAt;
    this.draw();
  }

  showText(text: string): void {
    setText(this.output, text);
  }

  private cellContext(): { state: RunState; events: readonly StepEvent[]; vocab: readonly string[]; specialNames: ReadonlySet<string> } {
    return { state: this.state, events: this.source, vocab: this.vocab, specialNames: this.canvasTokens.specialNames ?? new Set() };
  }

  /** Opens the tooltip under a token cell (null closes it). */
  private showCell(cell: HTMLElement | null): void {
    this.hovered = cell;
    if (!cell) {
      this.tooltip.hide();
      return;
    }
    const context = this.cellContext();
    if (cell.dataset.promptIndex !== undefined) {
      const index = Number(cell.dataset.promptIndex);
      this.tooltip.showPrompt(index, String(this.canvasTokens.promptTokens?.[index] ?? ""), context.specialNames);
    } else {
      this.tooltip.showGenerated({ ...context, passes: this.state.steps, index: Number(cell.dataset.pos) });
    }
    cell.setAttribute("aria-describedby", this.tooltip.element.id);
    const root = this.root.getBoundingClientRect();
    const box = cell.getBoundingClientRect();
    this.tooltip.place(box.left - root.left, box.bottom - root.top + 4);
  }

  private setStatus(status: RunStatus): void {
    this.root.dataset.status = status;
  }

  private draw(): void {
    this.tokenRow.render(this.state, this.vocab);
    if (this.hovered?.isConnected) this.showCell(this.hovered);
    this.heatmap.render(this.state);
    renderDecision(this.decision, this.state, this.vocab);
    const rows = runStats(this.state, this.elapsedMs, this.backend).map(([label, value]) => {
      const pair = element("div", "stat");
      const number = element("dd", "", value);
      number.dataset.stat = label;
      pair.append(element("dt", "", label), number);
      return pair;
    });
    this.stats.replaceChildren(...rows);
    this.root.dataset.steps = String(this.state.steps);
  }
}
