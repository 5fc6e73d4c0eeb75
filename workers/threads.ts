/**
 * How many threads onnxruntime-web's WASM backend gets. Its thread pool spins while it waits,
 * and on a machine with two logical cores the spinning thread starves the main one: two threads
 * measured 1.7-2.6x slower than one here, in Node and Chromium alike (issue #19). So one thread
 * unless the machine has cores to spare; a user's explicit count wins where threads exist.
 */
export interface ThreadChoice {
  threads: number;
  /** Why this count, for the page's header. */
  reason: string;
}

export interface ThreadContext {
  /** The user's setting: a count, or undefined for the default. */
  requested: number | undefined;
  crossOriginIsolated: boolean;
  /** navigator.hardwareConcurrency (undefined where the browser hides it). */
  cores: number | undefined;
}

/** Above this many logical cores threads help; at or below it they measured slower. */
export const MIN_CORES_FOR_THREADS = 2;

export function chooseWasmThreads({ requested, crossOriginIsolated, cores }: ThreadContext): ThreadChoice {
  if (!crossOriginIsolated) {
    return { threads: 1, reason: "1 thread: the page is not cross-origin isolated (no COOP/COEP headers), so WASM cannot use threads" };
  }
  if (requested !== undefined) return { threads: requested, reason: `${requested} thread${requested === 1 ? "" : "s"}: set by hand` };
  if (cores === undefined || cores <= MIN_CORES_FOR_THREADS) {
    return { threads: 1, reason: `1 thread: ${cores ?? "an unknown number of"} logical cores, where onnxruntime's spinning thread pool measured slower than one thread` };
  }
  // onnxruntime-web's own default: half the cores, at most 4.
  const threads = Math.min(4, Math.ceil(cores / 2));
  return { threads, reason: `${threads} threads: half of ${cores} logical cores (at most 4)` };
}
