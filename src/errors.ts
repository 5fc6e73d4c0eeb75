/**
 * The typed errors of the runtime. Each names the offending option, value or file, so a user
 * can fix the input from the message alone. `name` survives the worker boundary (comlink).
 */

/** A generation option (or CLI flag) outside its allowed range. */
export class OptionError extends RangeError {
  override name = "OptionError";
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
  }
}

/** A model folder that is unreachable, incomplete, or whose files are malformed. */
export class ModelLoadError extends Error {
  override name = "ModelLoadError";
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

/** An ONNX graph that does not meet the contract `input_ids` int64 [batch, seq] -> `logits`. */
export class ModelContractError extends Error {
  override name = "ModelContractError";
}

/** A forward pass that onnxruntime rejected, with the input that was fed. */
export class InferenceError extends Error {
  override name = "InferenceError";
}

/** A trace file that is not a trace: bad JSON, missing parts, steps out of order. */
export class TraceError extends Error {
  override name = "TraceError";
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`trace line ${line}: ${message}`);
  }
}

/** The engine worker died (an uncaught error in it); calls in flight fail with this, and the worker must be restarted. */
export class WorkerCrashError extends Error {
  override name = "WorkerCrashError";
}

/**
 * The browser's storage has no room for the model files still to download. The message says
 * how many MB are needed and available and what to do; the numbers are kept for the page.
 */
export class StorageQuotaError extends Error {
  override name = "StorageQuotaError";
  constructor(
    readonly neededBytes: number,
    readonly availableBytes: number,
    message: string,
  ) {
    super(message);
  }
}
