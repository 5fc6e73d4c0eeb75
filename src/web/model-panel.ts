/**
 * Model loading on the page: URL and backend fields, a progress bar with bytes and percent over
 * all files, the "from cache" note, the clear-cache button and load errors. A failed load
 * leaves the page usable: the previous state is reported and Load can be pressed again.
 */
import type { DllmClient, LoadReport } from "../index.ts";
import type { DownloadProgress } from "../../workers/progress.ts";
import { requestPersistentStorage } from "../../workers/download.ts";
import type { BackendChoice } from "../../workers/api.ts";
import { byId, describeError, formatBytes, setText } from "./dom.ts";
import { loadNotices } from "./notices.ts";
import { isRepoId, type Dtype } from "../model/model-source.ts";
import { modelChoices, OTHER } from "./model-choices.ts";

/** One file's download as a person reads it: bytes, rate and time left. */
export function fileLine(p: DownloadProgress): string {
  const size = p.total !== undefined ? `${formatBytes(p.loaded)} / ${formatBytes(p.total)}` : formatBytes(p.loaded);
  const rate = p.rate !== undefined ? ` at ${formatBytes(p.rate)}/s` : "";
  const eta = p.etaSeconds !== undefined ? `, ${p.etaSeconds < 90 ? `${Math.ceil(p.etaSeconds)} s` : `${Math.ceil(p.etaSeconds / 60)} min`} left` : "";
  return `${p.file}: ${size}${rate}${eta}`;
}

export interface ModelPanelEvents {
  onLoading(): void;
  onLoaded(report: LoadReport): void;
  onFailed(message: string): void;
}

export class ModelPanel {
  private readonly choice = byId("model-choice", HTMLSelectElement);
  private readonly url = byId("model-url", HTMLInputElement);
  private readonly urlField = byId("model-url-field", HTMLElement);
  private readonly dtype = byId("model-dtype", HTMLSelectElement);
  private readonly dtypeField = byId("model-dtype-field", HTMLElement);
  private readonly choices = modelChoices();
  private readonly backend = byId("backend-choice", HTMLSelectElement);
  private readonly loadButton = byId("load", HTMLButtonElement);
  private readonly clearButton = byId("clear-cache", HTMLButtonElement);
  private readonly progress = byId("load-progress", HTMLProgressElement);
  private readonly status = byId("load-status", HTMLElement);
  private readonly error = byId("load-error", HTMLElement);
  private readonly notice = byId("load-notice", HTMLElement);
  private readonly diagnostics = byId("diagnostics", HTMLElement);
  /** Counts measurements, so a watcher can wait for the one after a run. */
  private measurements = 0;
  private readonly backendLabel = byId("backend", HTMLElement);

  /** @param hubUrl where repo ids are fetched from (the page's `?hub=` parameter; default the Hugging Face hub) */
  constructor(
    private readonly client: DllmClient,
    private readonly events: ModelPanelEvents,
    private readonly hubUrl?: string,
  ) {
    for (const choice of this.choices) this.choice.append(new Option(choice.label, choice.value));
    this.choice.addEventListener("change", () => this.showOtherFields());
    this.showOtherFields();
    this.loadButton.addEventListener("click", () => void this.load());
    this.clearButton.addEventListener("click", () => void this.clearCache());
  }

  async load(): Promise<void> {
    const files = new Map<string, DownloadProgress>();
    let finished = false;
    this.loadButton.disabled = true;
    setText(this.error, "");
    setText(this.notice, "");
    this.progress.value = 0;
    setText(this.status, "loading…");
    delete this.status.dataset.source;
    // Loading replaces the model in the worker, so until it is done there is no backend.
    setText(this.backendLabel, "loading…");
    this.backendLabel.dataset.backend = "";
    this.events.onLoading();
    // Only a page may ask for persistent storage; the worker's downloads then survive storage pressure.
    void requestPersistentStorage();
    try {
      const report = await this.client.load(
        { ...this.chosenModel(), backend: this.backend.value as BackendChoice, ...(this.hubUrl ? { hubUrl: this.hubUrl } : {}) },
        (progress) => {
          // Progress messages can trail the load's own reply; a finished load ignores them.
          if (finished) return;
          files.set(progress.file, progress);
          this.showProgress(files);
        },
      );
      finished = true;
      this.progress.value = 1;
      const source = report.fromCache ? "from cache" : "downloaded";
      setText(this.status, `loaded ${report.graphFile} (${report.dtype}, ${formatBytes(report.bytes)}), ${source}, in ${(report.ms / 1000).toFixed(1)} s`);
      this.status.dataset.source = report.fromCache ? "cache" : "network";
      const { backend } = report;
      setText(this.backendLabel, `${backend.backend.toUpperCase()}${backend.adapter ? ` (${backend.adapter})` : ""}: ${backend.reason}`);
      this.backendLabel.dataset.backend = backend.backend;
      setText(this.notice, loadNotices(report).join("\n"));
      this.events.onLoaded(report);
      void this.showDiagnostics();
    } catch (error) {
      finished = true;
      const message = describeError(error);
      setText(this.error, message);
      setText(this.status, "load failed");
      setText(this.backendLabel, "no model loaded");
      this.backendLabel.dataset.backend = "";
      this.events.onFailed(message);
    } finally {
      this.loadButton.disabled = false;
    }
  }

  /** Live tensors and memory of the engine, so a long session can see they stay flat. */
  async showDiagnostics(): Promise<void> {
    try {
      const d = await this.client.diagnostics();
      const parts = [`${d.liveTensors} live tensors`];
      if (d.jsHeapBytes !== null) parts.push(`worker JS heap ${formatBytes(d.jsHeapBytes)}`);
      if (d.wasmMemoryBytes !== null) parts.push(`WASM memory ${formatBytes(d.wasmMemoryBytes)}`);
      setText(this.diagnostics, `engine: ${parts.join(", ")}`);
      this.diagnostics.dataset.liveTensors = String(d.liveTensors);
      this.diagnostics.dataset.tensorsSeen = String(d.tensorsSeen);
      this.diagnostics.dataset.jsHeap = String(d.jsHeapBytes ?? "");
      this.diagnostics.dataset.wasmMemory = String(d.wasmMemoryBytes ?? "");
      this.diagnostics.dataset.measured = String(++this.measurements);
    } catch {
      setText(this.diagnostics, ""); // a crashed worker is reported elsewhere
    }
  }

  /** "Other" shows the URL and dtype fields; a catalog entry needs neither. */
  private showOtherFields(): void {
    const other = this.choice.value === OTHER;
    this.urlField.hidden = !other;
    this.dtypeField.hidden = !other;
  }

  private chosenModel(): { baseUrl: string; dtype?: Dtype } {
    const choice = this.choices.find((c) => c.value === this.choice.value);
    if (!choice?.model) {
      const text = this.url.value.trim();
      // A repo id goes to the worker as it is; anything else is a URL relative to the page.
      const baseUrl = isRepoId(text) ? text : new URL(text, document.baseURI).href;
      return { baseUrl, ...(this.dtype.value ? { dtype: this.dtype.value as Dtype } : {}) };
    }
    const baseUrl = choice.model.startsWith("./") ? new URL(choice.model, document.baseURI).href : choice.model;
    return { baseUrl, ...(choice.dtype ? { dtype: choice.dtype } : {}) };
  }

  private showProgress(files: Map<string, DownloadProgress>): void {
    let loaded = 0;
    let total = 0;
    let known = true;
    for (const file of files.values()) {
      loaded += file.loaded;
      if (file.total === undefined) known = false;
      else total += file.total;
    }
    const fromCache = [...files.values()].every((file) => file.fromCache);
    const suffix = fromCache ? " (from cache)" : "";
    // The file still arriving that has the most left: its rate and time left are what a person waits on.
    const busy = [...files.values()].filter((f) => f.total === undefined || f.loaded < f.total);
    const slowest = busy.sort((a, b) => (b.total ?? Infinity) - b.loaded - ((a.total ?? Infinity) - a.loaded))[0];
    const detail = slowest ? ` · ${fileLine(slowest)}` : "";
    if (known && total > 0) {
      this.progress.value = loaded / total;
      setText(this.status, `${formatBytes(loaded)} / ${formatBytes(total)} (${Math.floor((100 * loaded) / total)}%)${suffix}${detail}`);
    } else {
      this.progress.removeAttribute("value");
      setText(this.status, `${formatBytes(loaded)}${suffix}${detail}`);
    }
    const notes = [...files.values()].flatMap((f) => (f.note ? [`${f.file}: ${f.note}`] : []));
    if (notes.length > 0) setText(this.notice, notes.join("\n"));
  }

  private async clearCache(): Promise<void> {
    try {
      const cleared = await this.client.clearCache();
      setText(this.status, cleared ? "cache cleared: the next load downloads the files" : "the cache was already empty");
    } catch (error) {
      setText(this.error, describeError(error));
    }
  }
}
