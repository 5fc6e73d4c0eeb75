/**
 * The evaluation page: loads the shipped model into the engine worker (library client of
 * src/index.ts), then runs the same evaluation as `npm run eval` through it, redrawing the
 * tables and the plot after every generation. Query parameters prefill the form
 * (?count=3&blockSizes=8&backend=wasm), so a link can share a setup.
 */
import "./eval.css";
import { createDllmClient, type BackendChoice } from "../index.ts";
import { evalJson } from "../eval/report.ts";
import { runEval } from "../eval/run.ts";
import { cellOptions, checkPlan, defaultPlan, parseBlockSizes, parseSettings, planCells, type EvalPlan } from "../eval/settings.ts";
import { generateProblems } from "../problems/generate.ts";
import { renderPlot, renderProgress, renderTables } from "./view.ts";

const MODEL_URL = "./models/dllm-tiny/";
const root = document.querySelector<HTMLElement>("#eval")!;
const form = document.querySelector<HTMLFormElement>("#eval-controls")!;
const runButton = document.querySelector<HTMLButtonElement>("#eval-run")!;
const stopButton = document.querySelector<HTMLButtonElement>("#eval-stop")!;
const backendLine = document.querySelector<HTMLElement>("#eval-backend")!;
const errorLine = document.querySelector<HTMLElement>("#eval-error")!;
const progressLine = document.querySelector<HTMLElement>("#eval-progress")!;
const tables = document.querySelector<HTMLElement>("#eval-tables")!;
const plot = document.querySelector<HTMLElement>("#eval-plot")!;
const jsonOut = document.querySelector<HTMLElement>("#eval-json")!;

const query = new URLSearchParams(location.search);
for (const input of form.querySelectorAll<HTMLInputElement>("input[name]")) {
  const value = query.get(input.name);
  if (value !== null) input.value = value;
}

const client = createDllmClient();
let controller: AbortController | null = null;

function setStatus(status: "idle" | "loading" | "running" | "done" | "stopped" | "error"): void {
  root.dataset.status = status;
  runButton.disabled = status === "loading" || status === "running";
  stopButton.disabled = status !== "running";
}

function readForm(): { plan: EvalPlan; seed: number; count: number } {
  const field = (name: string): string => (form.elements.namedItem(name) as HTMLInputElement).value;
  const integer = (name: string, min: number): number => {
    const value = Number(field(name));
    if (!Number.isInteger(value) || value < min) throw new RangeError(`${name}: must be an integer >= ${min}, got ${JSON.stringify(field(name))}`);
    return value;
  };
  const genLength = integer("genLength", 1);
  const delimiterThreshold = Number(field("delimiterThreshold"));
  if (!(delimiterThreshold >= 0)) throw new RangeError(`delimiterThreshold: must be >= 0, got ${JSON.stringify(field("delimiterThreshold"))}`);
  const plan = defaultPlan({
    genLength,
    delimiterThreshold,
    settings: parseSettings(field("settings"), "settings"),
    blockSizes: parseBlockSizes(field("blockSizes"), "blockSizes"),
  });
  checkPlan(plan);
  return { plan, seed: integer("seed", 0), count: integer("count", 1) };
}

async function run(): Promise<void> {
  errorLine.textContent = "";
  let request: ReturnType<typeof readForm>;
  try {
    request = readForm();
  } catch (error) {
    errorLine.textContent = (error as Error).message;
    return;
  }
  const { plan, seed, count } = request;
  const problems = generateProblems(seed, count);
  controller = new AbortController();
  // Clear the previous run before the status says "running", so nothing stale is read as new.
  renderProgress(progressLine, { done: 0, total: problems.length * planCells(plan).length, elapsedMs: 0 });
  renderTables(tables, []);
  renderPlot(plot, []);
  jsonOut.textContent = "";
  setStatus("running");
  const started = performance.now();
  try {
    // The worker checks every cell against the model before the first pass.
    const longest = problems.reduce((a, b) => (b.prompt.length > a.prompt.length ? b : a));
    for (const cell of planCells(plan)) await client.resolve(longest.prompt, cellOptions(cell, plan));
    const cells = await runEval(problems, plan, (prompt, options) => client.generate(prompt, options), {
      signal: controller.signal,
      onProgress: (progress) => {
        renderProgress(progressLine, progress);
        renderTables(tables, progress.cells);
        renderPlot(plot, progress.cells);
      },
    });
    renderTables(tables, cells);
    renderPlot(plot, cells);
    const stopped = controller.signal.aborted;
    jsonOut.textContent = JSON.stringify({ ...evalJson(cells, plan, { seed, count, model: MODEL_URL, ms: performance.now() - started }), partial: stopped }, null, 2);
    setStatus(stopped ? "stopped" : "done");
  } catch (error) {
    errorLine.textContent = `${(error as Error).name}: ${(error as Error).message}`;
    setStatus("error");
  } finally {
    controller = null;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void run();
});
stopButton.addEventListener("click", () => {
  controller?.abort();
  void client.cancel();
});

async function load(): Promise<void> {
  setStatus("loading");
  const backend = (query.get("backend") ?? "auto") as BackendChoice;
  try {
    const report = await client.load({ baseUrl: MODEL_URL, backend });
    const info = report.backend;
    backendLine.textContent = `${info.backend.toUpperCase()}${info.adapter ? ` (${info.adapter})` : ""}, ${info.wasmThreads} WASM thread(s): ${info.reason}`;
    backendLine.dataset.backend = info.backend;
    setStatus("idle");
  } catch (error) {
    errorLine.textContent = `${(error as Error).name}: ${(error as Error).message}`;
    setStatus("error");
  }
}

void load();
