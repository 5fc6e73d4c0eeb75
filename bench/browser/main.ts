/**
 * The benchmark page: reads its settings from the query string, runs the forward benchmark in
 * a module worker (as the app runs the engine), and shows the report as JSON for the driver.
 */
import type { BenchFailure, BenchReport, BenchRequest } from "./protocol.ts";

const query = new URLSearchParams(location.search);
const numberList = (text: string | null, fallback: number[]): number[] => (text ? text.split(",").map(Number) : fallback);
const request: BenchRequest = {
  backend: query.get("backend") === "webgpu" ? "webgpu" : "wasm",
  threads: Number(query.get("threads") ?? 1),
  sequenceLengths: numberList(query.get("lengths"), [64, 128, 256]),
  warmup: Number(query.get("warmup") ?? 2),
  runs: Number(query.get("runs") ?? 10),
  modelUrl: new URL(query.get("model") ?? "./models/dllm-tiny/", location.href).href,
};

const output = document.querySelector<HTMLElement>("#result")!;
const worker = new Worker(new URL("./forward.worker.ts", import.meta.url), { type: "module" });
worker.onmessage = (event: MessageEvent<BenchReport | BenchFailure>) => {
  output.textContent = JSON.stringify(event.data, null, 2);
  output.dataset.status = event.data.ok ? "done" : "error";
  worker.terminate();
};
worker.onerror = (event) => {
  output.textContent = JSON.stringify({ ok: false, error: event.message || "worker failed to start" });
  output.dataset.status = "error";
};
worker.postMessage(request);
