/**
 * Library entry point. `createDllmClient()` starts the engine worker and returns a typed client
 * (load / generate with a per-step callback / cancel / backendInfo); the decoders and the engine
 * are re-exported for direct use (e.g. with your own ForwardModel, no worker).
 *
 *   const client = createDllmClient();
 *   await client.load({ baseUrl: "/models/dllm-tiny/" });
 *   const result = await client.generate("Question: ...\nAnswer:\n", { decoder: "adablock" }, (step) => draw(step));
 */
import * as Comlink from "comlink";
import type { GenerateOptions, GenerateResult, StepEvent } from "./decoding/types.ts";
import type { FileProgress } from "./model/model-folder.ts";
import type { BackendInfo, BandProfileProgress, BandProfileRequest, EngineDiagnostics, EngineWorkerApi, LoadReport, LoadRequest, PromptInput, ResolvedRun } from "../workers/api.ts";
import type { BandProfile } from "./eval/volatility.ts";
import { isRepoId } from "./model/model-source.ts";
import { InferenceError, WorkerCrashError } from "./errors.ts";

export interface DllmClient {
  /** Loads a model folder (replacing any loaded one) and opens it on WebGPU or WASM. */
  load(request: LoadRequest, onProgress?: (progress: FileProgress) => void): Promise<LoadReport>;
  /** Checks options against the loaded model and fills in defaults, without generating. */
  resolve(prompt: PromptInput, options?: Partial<GenerateOptions>): Promise<ResolvedRun>;
  /** Runs one generation; `onStep` gets every forward pass as it happens, in order. */
  /** A prompt, or `{ messages }` for a chat model (rendered through its chat template). */
  generate(prompt: PromptInput, options?: Partial<GenerateOptions>, onStep?: (event: StepEvent) => void): Promise<GenerateResult>;
  /**
   * The volatility band averaged over `count` held-out problems, run in the worker with the
   * given settings: top-1 confidence against relative position at 0/25/50/75 % decoded.
   * cancel() stops it; it then resolves with the problems finished (`stopped: true`).
   */
  bandProfile(request: BandProfileRequest, onProgress?: (progress: BandProfileProgress) => void): Promise<BandProfile>;
  /** Stops the running generation before its next forward pass; its promise resolves with stopReason "aborted". */
  cancel(): Promise<void>;
  backendInfo(): Promise<BackendInfo | null>;
  clearCache(): Promise<boolean>;
  /** Live tensors and memory of the worker (for long sessions). */
  diagnostics(): Promise<EngineDiagnostics>;
  /**
   * `listener` hears of the worker crashing (an uncaught error in it): calls in flight have then
   * failed with WorkerCrashError, and every later call does too until `restart()`.
   */
  onCrash(listener: (error: WorkerCrashError) => void): void;
  /** Replaces the worker with a fresh one (no model loaded): after a crash, or to free everything. */
  restart(): void;
  /** Stops the worker; the client is unusable afterwards. */
  terminate(): void;
}

/**
 * Steps travel on the callback's own message channel and the result on the worker's, and two
 * channels keep no order between them: the result can overtake the last steps. So the promise
 * resolves only once all `result.nfe` steps have been handed to `onStep`.
 */
async function generateInOrder(
  remote: Comlink.Remote<EngineWorkerApi>,
  prompt: PromptInput,
  options: Partial<GenerateOptions>,
  onStep: ((event: StepEvent) => void) | undefined,
): Promise<GenerateResult> {
  if (!onStep) return remote.generate(prompt, options);
  let received = 0;
  let expected = Infinity;
  let allReceived: () => void = () => {};
  const done = new Promise<void>((resolve) => (allReceived = resolve));
  const result = await remote.generate(
    prompt,
    options,
    Comlink.proxy((event: StepEvent) => {
      received++;
      onStep(event);
      if (received >= expected) allReceived();
    }),
  );
  expected = result.nfe;
  if (received >= expected) allReceived();
  await done;
  return result;
}

/**
 * The worker resolves URLs against its own script's URL, so a relative one is made absolute
 * here; a Hugging Face repo id (`owner/name`) is passed as it is.
 */
function absoluteUrl(url: string): string {
  if (isRepoId(url)) return url;
  try {
    return new URL(url, globalThis.location?.href).href;
  } catch {
    return url; // the worker reports the invalid URL with the file it was meant for
  }
}

interface Connection {
  worker: Worker;
  remote: Comlink.Remote<EngineWorkerApi>;
  /** Set once the worker has crashed or been stopped; later calls fail with it at once. */
  ended: Error | null;
  /** Rejecters of the calls in flight, failed together when the worker ends. */
  pending: Set<(error: Error) => void>;
}

const defaultWorker = (): Worker => new Worker(new URL("../workers/engine.worker.ts", import.meta.url), { type: "module", name: "dllm-engine" });

/**
 * Starts a dedicated engine worker. Pass your own `worker` (or a function making one, which
 * `restart()` needs) to host it differently.
 */
export function createDllmClient(worker?: Worker | (() => Worker)): DllmClient {
  const given = typeof worker === "object" ? worker : undefined;
  const makeWorker = typeof worker === "function" ? worker : defaultWorker;
  const listeners: ((error: WorkerCrashError) => void)[] = [];
  const end = (connection: Connection, error: Error): void => {
    if (connection.ended) return;
    connection.ended = error;
    connection.worker.terminate();
    for (const reject of connection.pending) reject(error);
    connection.pending.clear();
  };

  const connect = (engineWorker: Worker): Connection => {
    const connection: Connection = { worker: engineWorker, remote: Comlink.wrap<EngineWorkerApi>(engineWorker), ended: null, pending: new Set() };
    // An uncaught error leaves the engine in an unknown state (a WASM abort, say), and comlink
    // calls in flight would wait forever: the worker is stopped and they fail now.
    engineWorker.addEventListener("error", (event) => {
      event.preventDefault();
      const error = new WorkerCrashError(`the engine worker crashed: ${event.message || "uncaught error"}`);
      end(connection, error);
      for (const listener of listeners) listener(error);
    });
    return connection;
  };
  let current = connect(given ?? makeWorker());
  // Not Promise.race against a crash promise: a promise that never settles would keep every call's result alive.
  const call = <T>(run: (remote: Comlink.Remote<EngineWorkerApi>) => Promise<T>): Promise<T> => {
    const connection = current;
    if (connection.ended) return Promise.reject(connection.ended);
    return new Promise<T>((resolve, reject) => {
      connection.pending.add(reject);
      run(connection.remote)
        .then(resolve, reject)
        .finally(() => connection.pending.delete(reject));
    });
  };
  const stop = (connection: Connection): void => {
    connection.remote[Comlink.releaseProxy]();
    end(connection, new InferenceError("the engine worker was stopped (restart() or terminate()); the call did not finish"));
  };

  return {
    load: (request, onProgress) => call((remote) => remote.load({ ...request, baseUrl: absoluteUrl(request.baseUrl) }, onProgress && Comlink.proxy(onProgress))),
    resolve: (prompt, options = {}) => call((remote) => remote.resolve(prompt, options)),
    generate: (prompt, options = {}, onStep) => call((remote) => generateInOrder(remote, prompt, options, onStep)),
    bandProfile: (request, onProgress) => call((remote) => remote.bandProfile(request, onProgress && Comlink.proxy(onProgress))),
    cancel: () => call((remote) => remote.cancel()),
    backendInfo: () => call((remote) => remote.backendInfo()),
    clearCache: () => call((remote) => remote.clearCache()),
    diagnostics: () => call((remote) => remote.diagnostics()),
    onCrash: (listener) => {
      listeners.push(listener);
    },
    restart: () => {
      if (given) throw new Error("a client made from a Worker object cannot restart it: pass a function that makes the worker");
      stop(current);
      current = connect(makeWorker());
    },
    terminate: () => stop(current),
  };
}

export * from "./core.ts";
export type { BandProfileProgress, BandProfileRequest } from "../workers/api.ts";
export type { BandCurve, BandProfile } from "./eval/volatility.ts";
