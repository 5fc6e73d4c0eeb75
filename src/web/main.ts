/**
 * The page: wires the engine client to the panels. The main thread only reads controls and
 * renders events; loading and every forward pass happen in the engine worker.
 */
import "./style.css";
import { DEFAULT_OPTIONS } from "../decoding/options.ts";
import type { StepEvent } from "../decoding/types.ts";
import { createDllmClient, WorkerCrashError, type LoadReport } from "../index.ts";
import { ComparePanel } from "./compare.ts";
import { readOptions, updateRelevance, writeOptions } from "./controls.ts";
import { byId, describeError, setText } from "./dom.ts";
import { ModelPanel } from "./model-panel.ts";
import { RunView } from "./run-view.ts";
import { TracePanel } from "./trace-panel.ts";

const client = createDllmClient();
const form = byId("controls", HTMLFormElement);
const promptField = byId("prompt", HTMLTextAreaElement);
const examples = byId("examples", HTMLSelectElement);
const generateButton = byId("generate", HTMLButtonElement);
const stopButton = byId("stop", HTMLButtonElement);
const compareButton = byId("compare-run", HTMLButtonElement);
const loadButton = byId("load", HTMLButtonElement);
const runStatus = byId("run-status", HTMLElement);
const runError = byId("run-error", HTMLElement);
const live = new RunView(byId("live", HTMLElement));
const compare = new ComparePanel(client);
const trace = new TracePanel();

let model: LoadReport | null = null;
let busy = false;

function setBusy(value: boolean): void {
  busy = value;
  generateButton.disabled = busy || !model;
  compareButton.disabled = busy || !model;
  loadButton.disabled = busy;
  stopButton.disabled = !busy;
}

function backendLabel(report: LoadReport): string {
  return report.backend.backend === "webgpu" ? `WebGPU (${report.backend.adapter})` : `WASM × ${report.backend.wasmThreads}`;
}

function showIsolation(report: LoadReport | null): void {
  const threads = report ? `WASM uses ${report.backend.threadsReason}` : "WASM may use threads";
  setText(
    byId("isolation", HTMLElement),
    crossOriginIsolated
      ? `Cross-origin isolated (COOP/COEP headers): ${threads}.`
      : "Not cross-origin isolated (this host sends no COOP/COEP headers): WASM runs single-threaded.",
  );
  byId("isolation", HTMLElement).dataset.isolated = String(crossOriginIsolated);
}

async function generateLive(): Promise<void> {
  if (busy || !model) return;
  const report = model;
  const prompt = promptField.value;
  setBusy(true);
  setText(runError, "");
  setText(runStatus, "generating…");
  let started = false;
  try {
    const resolved = await client.resolve(prompt, readOptions(form));
    live.start(resolved.promptLength, resolved.options.genLength, report.vocab, backendLabel(report));
    started = true;
    const steps: StepEvent[] = [];
    const result = await client.generate(prompt, resolved.options, (event) => {
      steps.push(event);
      live.push(event);
    });
    live.finish(result);
    trace.setLastRun({ prompt, resolved, steps, result, report });
    setText(runStatus, `${result.stopReason === "aborted" ? "stopped" : "done"}: ${result.nfe} passes, ${(result.ms / 1000).toFixed(2)} s`);
  } catch (error) {
    // A run that fails half-way (the worker crashed, the model was unloaded) must not look like it is still running.
    if (started) live.fail(describeError(error));
    setText(runError, explain(error));
    setText(runStatus, "");
  } finally {
    setBusy(false);
    void modelPanel.showDiagnostics();
  }
}

function explain(error: unknown): string {
  return describeError(error) + (error instanceof WorkerCrashError ? " (the page restarted the engine and is reloading the model)" : "");
}

async function compareRuns(): Promise<void> {
  if (busy || !model) return;
  setBusy(true);
  try {
    await compare.run({ prompt: promptField.value, options: readOptions(form), vocab: model.vocab, backend: backendLabel(model) });
  } finally {
    setBusy(false);
  }
}

const modelPanel = new ModelPanel(client, {
  onLoading() {
    model = null;
    setBusy(false);
    loadButton.disabled = true;
  },
  onLoaded(report) {
    model = report;
    showIsolation(report);
    setBusy(false);
  },
  onFailed() {
    model = null;
    setBusy(false);
  },
});

// A crashed worker is replaced and the model loaded again (from Cache Storage, usually); the
// run it was doing has already failed with the same error.
client.onCrash((error) => {
  setText(runError, explain(error));
  client.restart();
  void modelPanel.load();
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void generateLive();
});
form.addEventListener("change", () => updateRelevance(form));
stopButton.addEventListener("click", () => void client.cancel());
compareButton.addEventListener("click", () => void compareRuns());
examples.addEventListener("change", () => {
  if (examples.value) promptField.value = examples.value;
});

promptField.value = examples.options[1]?.value ?? "";
writeOptions(form, DEFAULT_OPTIONS);
showIsolation(null);
setBusy(false);
void modelPanel.load();
