/**
 * Model loading on the page: URL and backend fields, a progress bar with bytes and percent over
 * all files, the "from cache" note, the clear-cache button and load errors. A failed load
 * leaves the page usable: the previous state is reported and Load can be pressed again.
 */
import type { DllmClient, FileProgress, LoadReport } from "../index.ts";
import type { BackendChoice } from "../../workers/api.ts";
import { byId, describeError, formatBytes, setText } from "./dom.ts";
import { loadNotices } from "./notices.ts";

export interface ModelPanelEvents {
  onLoading(): void;
  onLoaded(report: LoadReport): void;
  onFailed(message: string): void;
}

export class ModelPanel {
  private readonly url = byId("model-url", HTMLInputElement);
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

  constructor(
    private readonly client: DllmClient,
    private readonly events: ModelPanelEvents,
  ) {
    this.loadButton.addEventListener("click", () => void this.load());
    this.clearButton.addEventListener("click", () => void this.clearCache());
  }

  async load(): Promise<void> {
    const files = new Map<string, FileProgress>();
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
    try {
      const report = await this.client.load(
        { baseUrl: new URL(this.url.value, document.baseURI).href, backend: this.backend.value as BackendChoice },
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
      setText(this.status, `loaded ${formatBytes(report.bytes)} model, ${source}, in ${(report.ms / 1000).toFixed(1)} s`);
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

  private showProgress(files: Map<string, FileProgress>): void {
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
    if (known && total > 0) {
      this.progress.value = loaded / total;
      setText(this.status, `${formatBytes(loaded)} / ${formatBytes(total)} (${Math.floor((100 * loaded) / total)}%)${suffix}`);
    } else {
      this.progress.removeAttribute("value");
      setText(this.status, `${formatBytes(loaded)}${suffix}`);
    }
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
