/**
 * The volatility band on the page: the chart of the pass on screen (it follows playback), and
 * the paper's averaged view over held-out problems, run in the worker on request, with SVG and
 * PNG downloads. The figures are built as SVG strings (band-svg.ts) and parsed, never set as
 * HTML; each figure carries its data as JSON in a data- attribute, which the e2e tests compare
 * with the run's trace.
 */
import "./player.css";
import type { GenerateOptions } from "../decoding/types.ts";
import type { BandProfileProgress, BandProfileRequest } from "../../workers/api.ts";
import { passBand, type BandProfile } from "../eval/volatility.ts";
import { bandProfileSvg, passBandSvg } from "./band-svg.ts";
import { describeError, element, setText } from "./dom.ts";
import type { PlayedRun } from "./player.ts";

export interface BandChartDeps {
  /** Runs the averaged view in the worker (client.bandProfile). */
  profile(request: BandProfileRequest, onProgress: (progress: BandProfileProgress) => void): Promise<BandProfile>;
  /** Stops it (client.cancel). */
  cancel(): Promise<void> | void;
  /** The decoder settings of the page's form (throws with a message when one is invalid). */
  options(): Partial<GenerateOptions>;
  /** Claims the engine for the run; false when it is busy or no model is loaded. */
  begin(): boolean;
  end(): void;
}

const DEFAULT_COUNT = 20;

/** An SVG string as a node of this document (parsed as XML: nothing in it runs). */
function svgNode(svg: string): Element {
  const parsed = new DOMParser().parseFromString(svg, "image/svg+xml");
  return document.importNode(parsed.documentElement, true);
}

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  // The download has its own copy once started; the next task can free the URL.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** The SVG drawn onto a canvas at `scale`, as PNG. */
async function svgToPng(svg: string, width: number, height: number, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  try {
    const image = new Image(width, height);
    image.src = url;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = width * scale;
    canvas.height = height * scale;
    const context = canvas.getContext("2d");
    if (!context) throw new Error("no 2D canvas context to draw the PNG on");
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the canvas gave no PNG"))), "image/png"));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The settings a profile ran with, in a line for the figure. */
function describeSettings(options: Partial<GenerateOptions>): string {
  const parts = [options.decoder ?? "default decoder"];
  if (options.genLength !== undefined) parts.push(`L ${options.genLength}`);
  if (options.blockSize !== undefined) parts.push(`B ${options.blockSize}`);
  if (options.decoder === "threshold" || options.decoder === "adablock") parts.push(`tau ${options.threshold}`);
  if (options.decoder === "adablock") parts.push(`tau_D ${options.delimiterThreshold}`);
  if (options.cache && options.cache !== "none") parts.push(`${options.cache} cache`);
  return parts.join(" · ");
}

export class BandChart {
  private readonly passFigure = element("figure", "band-pass");
  private readonly passCaption = element("figcaption", "muted", "Top-1 confidence of every position in the pass on screen: the decoded plateau, the band of fluctuating confidence just past it, the low floor further out.");
  private readonly count = element("input", "band-count");
  private readonly runButton = element("button", "band-run", "Run held-out problems");
  private readonly stopButton = element("button", "band-stop", "Stop");
  private readonly progress = element("progress", "band-progress");
  private readonly status = element("span", "band-status muted");
  private readonly error = element("p", "error");
  private readonly profileFigure = element("figure", "band-profile");
  private readonly svgButton = element("button", "band-download-svg", "Download SVG");
  private readonly pngButton = element("button", "band-download-png", "Download PNG");
  private profileSvg = "";
  private running = 0;

  constructor(
    readonly root: HTMLElement,
    private readonly deps: BandChartDeps,
  ) {
    root.classList.add("band-chart");
    this.passFigure.id = "band-pass";
    this.count.id = "band-count";
    this.count.type = "number";
    this.count.min = "1";
    this.count.max = "500";
    this.count.value = String(DEFAULT_COUNT);
    this.runButton.id = "band-run";
    this.stopButton.id = "band-stop";
    this.progress.id = "band-progress";
    this.progress.setAttribute("aria-label", "problems run");
    this.status.id = "band-status";
    this.error.id = "band-error";
    this.error.setAttribute("role", "alert");
    this.profileFigure.id = "band-profile";
    this.svgButton.id = "band-download-svg";
    this.pngButton.id = "band-download-png";
    for (const button of [this.runButton, this.stopButton, this.svgButton, this.pngButton]) button.type = "button";
    this.stopButton.disabled = true;
    this.svgButton.disabled = true;
    this.pngButton.disabled = true;
    this.progress.max = 1;
    this.progress.value = 0;

    const heading = element("h3", "", "The paper's view: averaged over held-out problems");
    const explain = element(
      "p",
      "muted",
      "Runs N held-out problems with the decoder settings above and averages top-1 confidence against relative position when 0, 25, 50 and 75 % of the answer is decoded.",
    );
    const countField = element("label", "", "Problems N ");
    countField.append(this.count);
    const controls = element("div", "row band-controls");
    controls.append(countField, this.runButton, this.stopButton, this.progress, this.status);
    const downloads = element("div", "row band-downloads");
    downloads.append(this.svgButton, this.pngButton);
    const profileSection = element("section", "band-profile-section");
    profileSection.append(heading, explain, controls, this.error, this.profileFigure, downloads);
    this.passFigure.append(this.passCaption);
    root.replaceChildren(this.passFigure, profileSection);

    this.runButton.addEventListener("click", () => void this.runProfile());
    this.stopButton.addEventListener("click", () => void this.deps.cancel());
    this.svgButton.addEventListener("click", () => download(new Blob([this.profileSvg], { type: "image/svg+xml" }), "volatility-band.svg"));
    this.pngButton.addEventListener("click", () => void this.downloadPng());
  }

  /** Draws pass `pass` of the run (the player calls this whenever the pass on screen changes). */
  showPass(run: PlayedRun, pass: number): void {
    const band = passBand(run.steps, pass, run.promptLength, run.genLength);
    this.passFigure.replaceChildren(svgNode(passBandSvg(band, `pass ${pass + 1} of ${run.steps.length}`)), this.passCaption);
    this.passFigure.dataset.pass = String(pass);
    this.passFigure.dataset.band = JSON.stringify(band);
  }

  private async runProfile(): Promise<void> {
    setText(this.error, "");
    const count = Number(this.count.value);
    let options: Partial<GenerateOptions>;
    try {
      options = this.deps.options();
    } catch (error) {
      setText(this.error, describeError(error));
      return;
    }
    if (!this.deps.begin()) {
      setText(this.error, "The engine is busy or no model is loaded; try again when the run ends.");
      return;
    }
    const run = ++this.running;
    this.runButton.disabled = true;
    this.stopButton.disabled = false;
    this.progress.max = Math.max(1, count);
    this.progress.value = 0;
    setText(this.status, `0 of ${count} problems`);
    this.root.dataset.profile = "running";
    try {
      const profile = await this.deps.profile({ count, options }, (progress) => {
        // Progress travels on its own channel and may trail the result: a late one is dropped.
        if (run !== this.running || this.root.dataset.profile !== "running") return;
        this.progress.value = progress.done;
        setText(this.status, `${progress.done} of ${progress.total} problems`);
      });
      this.showProfile(profile, describeSettings(options));
      setText(this.status, `${profile.problems} of ${profile.requested} problems${profile.stopped ? ", stopped" : ""}`);
      this.progress.value = profile.problems;
      this.root.dataset.profile = profile.stopped ? "stopped" : "done";
    } catch (error) {
      setText(this.error, describeError(error));
      setText(this.status, "");
      this.root.dataset.profile = "error";
    } finally {
      this.runButton.disabled = false;
      this.stopButton.disabled = true;
      this.deps.end();
    }
  }

  private showProfile(profile: BandProfile, settings: string): void {
    this.profileSvg = bandProfileSvg(profile, settings);
    this.profileFigure.replaceChildren(svgNode(this.profileSvg));
    this.profileFigure.dataset.profile = JSON.stringify(profile);
    const empty = profile.problems === 0;
    this.svgButton.disabled = empty;
    this.pngButton.disabled = empty;
  }

  private async downloadPng(): Promise<void> {
    const root = svgNode(this.profileSvg);
    try {
      const png = await svgToPng(this.profileSvg, Number(root.getAttribute("width")), Number(root.getAttribute("height")));
      download(png, "volatility-band.png");
    } catch (error) {
      setText(this.error, `PNG: ${describeError(error)}`);
    }
  }
}
