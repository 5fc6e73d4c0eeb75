/**
 * Playback of a run, pass by pass: a scrubber (arrow keys step when it has focus), back /
 * play-pause / forward, a pace of 2-20 passes per second and "slow motion", which makes a new
 * run play at that pace instead of following the worker (the run itself is not slowed: its
 * passes are buffered). A loaded trace replays through the same player. The state machine is
 * player-state.ts; this file only wires it to the controls, a frame loop and the view.
 */
import "./player.css";
import type { StepEvent } from "../decoding/types.ts";
import { element, setText } from "./dom.ts";
import { completed, DEFAULT_PACE, MAX_PACE, MIN_PACE, pause, play, received, seek, setPace, startRun, step, tick, type PlayerState } from "./player-state.ts";

/** What the player drives: a view that can show a run as it stood after its first `count` passes. */
export interface PlaybackView {
  showPass(steps: readonly StepEvent[], count: number): void;
}

/** The run being played: its passes so far and the canvas it fills. */
export interface PlayedRun {
  readonly steps: readonly StepEvent[];
  readonly promptLength: number;
  readonly genLength: number;
}

/** Hears the pass on screen change (the band chart follows it). */
export type PassListener = (run: PlayedRun, pass: number) => void;

export class Player {
  private state: PlayerState = startRun(false, DEFAULT_PACE);
  private steps: StepEvent[] = [];
  private promptLength = 0;
  private genLength = 0;
  private frame = 0;
  private lastFrameAt = 0;
  /** The pass last handed to the view; -1 = none yet. */
  private shown = -1;
  private readonly listeners: PassListener[] = [];
  private readonly back = element("button", "player-back", "◀");
  private readonly playButton = element("button", "player-play", "Play");
  private readonly forward = element("button", "player-forward", "▶");
  private readonly scrubber = element("input", "player-scrubber");
  private readonly label = element("span", "player-label muted", "no run yet");
  private readonly pace = element("input", "player-pace");
  private readonly paceLabel = element("output", "player-pace-value");
  private readonly slowMotion = element("input", "player-slow");

  constructor(
    readonly root: HTMLElement,
    private readonly view: PlaybackView,
  ) {
    root.classList.add("player");
    this.back.id = "player-back";
    this.back.type = "button";
    this.back.setAttribute("aria-label", "previous pass");
    this.playButton.id = "player-play";
    this.playButton.type = "button";
    this.forward.id = "player-forward";
    this.forward.type = "button";
    this.forward.setAttribute("aria-label", "next pass");
    this.scrubber.id = "player-scrub";
    this.scrubber.type = "range";
    this.scrubber.min = "0";
    this.scrubber.step = "1";
    this.scrubber.setAttribute("aria-label", "pass shown (arrow keys step)");
    this.label.id = "player-label";
    this.label.setAttribute("aria-live", "off");
    this.pace.id = "player-pace";
    this.pace.type = "range";
    this.pace.min = String(MIN_PACE);
    this.pace.max = String(MAX_PACE);
    this.pace.step = "1";
    this.pace.value = String(DEFAULT_PACE);
    this.slowMotion.id = "player-slow";
    this.slowMotion.type = "checkbox";
    const paceField = element("label", "player-pace-field", "Pace ");
    paceField.append(this.pace, " ", this.paceLabel);
    const slowField = element("label", "player-slow-field");
    slowField.title = "play the next run at the pace above instead of as fast as it decodes (the run itself is not slowed)";
    slowField.append(this.slowMotion, " Slow motion");
    const transport = element("div", "player-transport");
    transport.append(this.back, this.playButton, this.forward, this.scrubber, this.label);
    const settings = element("div", "player-settings");
    settings.append(paceField, slowField);
    root.replaceChildren(transport, settings);

    this.back.addEventListener("click", () => this.update(step(this.state, -1)));
    this.forward.addEventListener("click", () => this.update(step(this.state, 1)));
    this.playButton.addEventListener("click", () => this.update(this.state.playing ? pause(this.state) : play(this.state)));
    // A range input moves by one on arrow keys (and to the ends on Home/End) and fires input.
    this.scrubber.addEventListener("input", () => this.update(seek(this.state, Number(this.scrubber.value))));
    this.pace.addEventListener("input", () => this.update(setPace(this.state, Number(this.pace.value))));
    this.renderControls();
  }

  /** Hears every change of the pass on screen. */
  onPass(listener: PassListener): void {
    this.listeners.push(listener);
  }

  /** A new run of `genLength` positions after `promptLength` prompt tokens; slow motion applies from here. */
  begin(promptLength: number, genLength: number): void {
    this.stopFrames();
    this.steps = [];
    this.promptLength = promptLength;
    this.genLength = genLength;
    this.shown = -1;
    this.state = startRun(this.slowMotion.checked, Number(this.pace.value));
    this.renderControls();
  }

  push(event: StepEvent): void {
    this.steps.push(event);
    this.state = received(this.state, this.steps.length);
    this.schedule();
  }

  /**
   * The run ended. Following it live, the last pass is drawn now, before the caller marks the
   * view done, so a finished view never shows fewer passes than were run.
   */
  complete(): void {
    this.state = completed(this.state);
    this.render();
    if (this.state.playing) this.schedule();
  }

  /** A recorded run (a loaded trace): played from its first pass in slow motion, else shown at its last. */
  load(run: PlayedRun): void {
    this.begin(run.promptLength, run.genLength);
    for (const event of run.steps) this.steps.push(event);
    this.state = received(this.state, this.steps.length);
    this.complete();
  }

  private update(next: PlayerState): void {
    const startsPlaying = next.playing && !this.state.playing;
    this.state = next;
    if (startsPlaying) this.lastFrameAt = 0;
    this.render();
    if (this.state.playing) this.schedule();
  }

  private schedule(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame((now) => this.onFrame(now));
  }

  private stopFrames(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.lastFrameAt = 0;
  }

  private onFrame(now: number): void {
    this.frame = 0;
    if (this.state.playing) {
      this.state = tick(this.state, this.lastFrameAt === 0 ? 0 : now - this.lastFrameAt);
      this.lastFrameAt = now;
    } else {
      this.lastFrameAt = 0;
    }
    this.render();
    if (this.state.playing) this.schedule();
  }

  private render(): void {
    const position = this.state.position;
    if (position >= 0 && position !== this.shown) {
      this.shown = position;
      this.view.showPass(this.steps, position + 1);
      const run: PlayedRun = { steps: this.steps, promptLength: this.promptLength, genLength: this.genLength };
      for (const listener of this.listeners) listener(run, position);
    }
    this.renderControls();
  }

  private renderControls(): void {
    const { position, buffered, playing, complete, pace } = this.state;
    const none = buffered === 0;
    this.scrubber.max = String(Math.max(0, buffered - 1));
    this.scrubber.value = String(Math.max(0, position));
    this.scrubber.disabled = none;
    this.back.disabled = none || position <= 0;
    this.forward.disabled = none || position >= buffered - 1;
    this.playButton.disabled = none && !playing;
    setText(this.playButton, playing ? "Pause" : "Play");
    this.playButton.setAttribute("aria-pressed", String(playing));
    setText(this.paceLabel, `${pace} passes/s`);
    if (this.pace.value !== String(pace)) this.pace.value = String(pace);
    setText(this.label, none ? "no passes yet" : `pass ${position + 1} of ${buffered}${complete ? "" : " so far"}`);
    const data = this.root.dataset;
    data.position = String(position);
    data.buffered = String(buffered);
    data.playing = String(playing);
    data.complete = String(complete);
    data.pace = String(pace);
  }
}
