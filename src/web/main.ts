/**
 * The page: wires the engine client to the panels. The main thread only reads controls and
 * renders events; loading and every forward pass happen in the engine worker.
 */
import "./style.css";
import { DEFAULT_OPTIONS } from "../decoding/options.ts";
import type { StepEvent } from "../decoding/types.ts";
import { createDllmClient, WorkerCrashError, type LoadReport } from "../index.ts";
import { ComparePanel } from "./compare.ts";
import { readOptions, updateRelevance, writeFields, writeOptions } from "./controls.ts";
import { byId, describeError, element, setText } from "./dom.ts";
import type { ChatMessage } from "../model/chat.ts";
import type { PromptInput } from "../../workers/api.ts";
import { ModelPanel } from "./model-panel.ts";
import { describeIsolation, startOffline, type IsolationSource } from "./offline.ts";
import { matchPreset, PRESETS, presetFields, type PresetName } from "./presets.ts";
import { RunView } from "./run-view.ts";
import { specialTokenNames } from "./token-text.ts";
import { BandChart } from "./band-chart.ts";
import { Player } from "./player.ts";
import { ShareLink } from "./share-link.ts";
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
// Playback of the live view, pass by pass, and the volatility band of the pass on screen.
const player = new Player(byId("playback", HTMLElement), live);
const bandChart = new BandChart(byId("band-chart", HTMLElement), {
  profile: (request, onProgress) => client.bandProfile(request, onProgress),
  cancel: () => client.cancel(),
  options: () => readOptions(form),
  begin: () => {
    if (busy || !model) return false;
    setBusy(true);
    return true;
  },
  end: () => setBusy(false),
});
player.onPass((run, pass) => bandChart.showPass(run, pass));
// A loaded trace replays in the live view through the same player (not during a run).
const trace = new TracePanel((loaded, vocab) => {
  if (busy) return;
  live.start(loaded.result.promptLength, loaded.header.options.genLength, vocab, `replay of ${loaded.header.model}`, { promptTokens: loaded.header.promptTokens });
  player.load({ steps: loaded.steps, promptLength: loaded.result.promptLength, genLength: loaded.header.options.genLength });
  live.finish(loaded.result);
});

/** "Prompt" | "Chat": two radio buttons drawn as tabs above the one prompt box. */
const promptMode = byId("prompt-mode", HTMLInputElement);
const chatMode = byId("chat-mode", HTMLInputElement);
const chatControls = byId("chat-controls", HTMLElement);
const chatNew = byId("chat-new", HTMLButtonElement);
const chatLog = byId("chat-log", HTMLOListElement);
const promptCaption = byId("prompt-caption", HTMLElement);
const presetButtons = [...document.querySelectorAll<HTMLButtonElement>("button[data-preset]")];
const presetNote = byId("preset-note", HTMLElement);

let model: LoadReport | null = null;
/** The conversation so far, in chat mode. */
let conversation: ChatMessage[] = [];

function showConversation(): void {
  chatLog.replaceChildren(
    ...conversation.map((message) => {
      const item = element("li", `chat-${message.role}`);
      item.append(element("strong", "", `${message.role}: `), element("span", "", message.content));
      return item;
    }),
  );
  chatControls.hidden = !chatMode.checked;
  chatNew.disabled = !chatMode.checked || conversation.length === 0;
  setText(promptCaption, chatMode.checked ? "Your message" : "Prompt");
}

/** Marks the preset the form's fields equal, if any. */
function showPreset(): void {
  const active = matchPreset(readOptions(form));
  for (const button of presetButtons) button.setAttribute("aria-pressed", String(button.dataset.preset === active));
  setText(presetNote, PRESETS.find((preset) => preset.name === active)?.note ?? "custom setting");
}
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

/** Where COOP/COEP came from; "service-worker" once src/web/offline.ts has asked it. */
let isolation: IsolationSource = crossOriginIsolated ? "host" : "none";

function showIsolation(report: LoadReport | null): void {
  const node = byId("isolation", HTMLElement);
  setText(node, describeIsolation(isolation, report?.backend.threadsReason));
  node.dataset.isolated = String(crossOriginIsolated);
  node.dataset.source = isolation;
}

async function generateLive(): Promise<void> {
  if (busy || !model) return;
  const report = model;
  const text = promptField.value;
  const chatting = chatMode.checked;
  const input: PromptInput = chatting ? { messages: [...conversation, { role: "user", content: text }] } : text;
  setBusy(true);
  setText(runError, "");
  setText(runStatus, "generating…");
  let started = false;
  try {
    const resolved = await client.resolve(input, readOptions(form));
    const prompt = resolved.prompt;
    live.start(resolved.promptLength, resolved.options.genLength, report.vocab, backendLabel(report), {
      promptTokens: resolved.promptTokens,
      specialNames: specialTokenNames(report),
    });
    player.begin(resolved.promptLength, resolved.options.genLength);
    started = true;
    const steps: StepEvent[] = [];
    const result = await client.generate(input, resolved.options, (event) => {
      steps.push(event);
      player.push(event);
    });
    player.complete();
    live.finish(result);
    if (chatting && result.stopReason !== "aborted") {
      conversation = [...conversation, { role: "user", content: text }, { role: "assistant", content: result.text }];
      promptField.value = "";
      showConversation();
    }
    trace.setLastRun({ prompt, resolved, steps, result, report });
    setText(runStatus, `${result.stopReason === "aborted" ? "stopped" : "done"}: ${result.nfe} passes, ${(result.ms / 1000).toFixed(2)} s`);
  } catch (error) {
    // A run that fails half-way (the worker crashed, the model was unloaded) must not look like it is still running.
    if (started) {
      player.complete();
      live.fail(describeError(error));
    }
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

// ?hub=URL points repo ids at another hub (a mirror, or the tests' local one).
const hubParam = new URLSearchParams(location.search).get("hub") ?? undefined;
const modelPanel = new ModelPanel(client, {
  onLoading() {
    model = null;
    setBusy(false);
    loadButton.disabled = true;
  },
  onLoaded(report) {
    model = report;
    // Chat needs the folder's template; a new model starts a new conversation.
    chatMode.disabled = report.chatTemplate === undefined;
    if (chatMode.disabled) promptMode.checked = true;
    conversation = [];
    showConversation();
    showIsolation(report);
    setBusy(false);
  },
  onFailed() {
    model = null;
    setBusy(false);
  },
}, hubParam);

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
form.addEventListener("change", () => {
  updateRelevance(form);
  showPreset();
});
form.addEventListener("input", showPreset);
for (const button of presetButtons) {
  button.addEventListener("click", () => {
    writeFields(form, presetFields(button.dataset.preset as PresetName, Number(readOptions(form).genLength)));
    showPreset();
  });
}
promptMode.addEventListener("change", showConversation);
chatMode.addEventListener("change", showConversation);
// Ctrl/Cmd+Enter generates from anywhere on the page (the prompt box included); Esc stops a run.
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.altKey) {
    event.preventDefault();
    if (!generateButton.disabled) form.requestSubmit(generateButton);
  } else if (event.key === "Escape" && busy) {
    event.preventDefault();
    void client.cancel();
  }
});
chatNew.addEventListener("click", () => {
  conversation = [];
  showConversation();
});
stopButton.addEventListener("click", () => void client.cancel());
compareButton.addEventListener("click", () => void compareRuns());
examples.addEventListener("change", () => {
  if (examples.value) promptField.value = examples.value;
});

promptField.value = examples.options[1]?.value ?? "";
writeOptions(form, DEFAULT_OPTIONS);
// A shared link's prompt, model and settings replace the defaults before the model loads.
new ShareLink().restore();
showPreset();
showConversation();
showIsolation(null);
// The service worker (production builds): offline use, and COOP/COEP where the host sends none.
void startOffline().then((source) => {
  isolation = source;
  showIsolation(model);
});
setBusy(false);
void modelPanel.load();
