/**
 * The benchmark page: reads its settings from the query string, opens the graphs in a module
 * worker (as the app runs the engine), shows what opened as JSON in #result, and exposes
 * `window.benchRound(length)` for the driver to time one round at a time.
 */
import type { PassSample, VariantName } from "../lib/forward-latency.ts";
import type { PageFailure, PageRequest, WorkerReply, WorkerRequest } from "./protocol.ts";

const query = new URLSearchParams(location.search);
const request: PageRequest = {
  backend: query.get("backend") === "webgpu" ? "webgpu" : "wasm",
  threads: Number(query.get("threads") ?? 1),
  variants: (query.get("variants") ?? "fp32-full,fp32-rows,int8-rows").split(",") as VariantName[],
  modelUrl: new URL(query.get("model") ?? "./models/dllm-tiny/", location.href).href,
  replicaUrl: new URL(query.get("replica") ?? "./replica/", location.href).href,
};

const output = document.querySelector<HTMLElement>("#result")!;
const show = (report: object, status: "ready" | "error") => {
  output.textContent = JSON.stringify(report, null, 2);
  output.dataset.status = status;
};
const worker = new Worker(new URL("./forward.worker.ts", import.meta.url), { type: "module" });
// Rounds are asked one at a time: one pending reply at most.
let pending: { resolve(samples: PassSample[]): void; reject(error: Error): void } | undefined;
worker.onmessage = (event: MessageEvent<WorkerReply>) => {
  const message = event.data;
  if (message.kind === "ready") show(message.ready, "ready");
  else if (message.kind === "round") pending?.resolve(message.samples);
  else if (pending) pending.reject(new Error(message.error));
  else show({ ok: false, error: message.error } satisfies PageFailure, "error");
  if (message.kind !== "ready") pending = undefined;
};
worker.onerror = (event) => show({ ok: false, error: event.message || "worker failed to start" } satisfies PageFailure, "error");
window.benchRound = (length) =>
  new Promise<PassSample[]>((resolve, reject) => {
    pending = { resolve, reject };
    worker.postMessage({ kind: "round", length } satisfies WorkerRequest);
  });
worker.postMessage({ kind: "open", request } satisfies WorkerRequest);
