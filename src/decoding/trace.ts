/**
 * The trace format shared by the CLI's `--trace FILE` and the page's export/replay: JSON lines,
 * a header, one line per forward pass (the StepEvent with plain arrays), then the result.
 */
import { TraceError } from "../errors.ts";
import type { GenerateOptions, GenerateResult, StepEvent } from "./types.ts";

export const TRACE_VERSION = 1;

export interface TraceHeader {
  type: "header";
  version: number;
  prompt: string;
  /** Prompt tokens as display text, so a replay can draw the canvas without a tokenizer. */
  promptTokens: string[];
  options: GenerateOptions;
  model: string;
}

export interface Trace {
  header: TraceHeader;
  steps: StepEvent[];
  result: GenerateResult;
}

/** JSON has no Infinity (tau_D = Infinity means fixed blocks), so it is written as a string. */
const encodeNumber = (_: string, value: unknown): unknown =>
  typeof value === "number" && !Number.isFinite(value) ? String(value) : ArrayBuffer.isView(value) ? Array.from(value as Float32Array) : value;

export function headerLine(header: Omit<TraceHeader, "type" | "version">): string {
  return JSON.stringify({ type: "header", version: TRACE_VERSION, ...header }, encodeNumber);
}
export const stepLine = (event: StepEvent): string => JSON.stringify({ type: "step", ...event }, encodeNumber);
export const resultLine = (result: GenerateResult): string => JSON.stringify({ type: "result", ...result }, encodeNumber);

export function serializeTrace(trace: Trace): string {
  return [headerLine(trace.header), ...trace.steps.map(stepLine), resultLine(trace.result)].join("\n") + "\n";
}

function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((x) => typeof x === "number");
}

function toStep(record: Record<string, unknown>, line: number): StepEvent {
  const committed = record.committed as Record<string, unknown> | undefined;
  const masked = record.masked as Record<string, unknown> | undefined;
  const block = record.block;
  if (
    typeof record.step !== "number" ||
    typeof record.nfe !== "number" ||
    !isNumberArray(block) ||
    block.length !== 2 ||
    !committed ||
    !masked ||
    !isNumberArray(committed.positions) ||
    !isNumberArray(committed.tokenIds) ||
    !isNumberArray(committed.confidences) ||
    !Array.isArray(committed.texts) ||
    !isNumberArray(masked.positions) ||
    !isNumberArray(masked.tokenIds) ||
    !isNumberArray(masked.confidences)
  ) {
    throw new TraceError(line, "a step needs step, nfe, block [start, end], committed {positions, tokenIds, confidences, texts} and masked {positions, tokenIds, confidences}");
  }
  const decision = record.decision as StepEvent["decision"] | undefined;
  if (decision && typeof decision.delimiterThreshold === "string") decision.delimiterThreshold = Number(decision.delimiterThreshold);
  return {
    step: record.step,
    nfe: record.nfe,
    block: [block[0]!, block[1]!],
    blockStart: record.blockStart === true,
    ...(decision ? { decision } : {}),
    committed: {
      positions: Int32Array.from(committed.positions),
      tokenIds: Int32Array.from(committed.tokenIds),
      confidences: Float32Array.from(committed.confidences),
      texts: committed.texts.map(String),
    },
    masked: {
      positions: Int32Array.from(masked.positions),
      tokenIds: Int32Array.from(masked.tokenIds),
      confidences: Float32Array.from(masked.confidences),
    },
  };
}

export function parseTrace(text: string): Trace {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new TraceError(1, "the file is empty");
  const records = lines.map((l, i) => {
    try {
      const value: unknown = JSON.parse(l);
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not an object");
      return value as Record<string, unknown>;
    } catch (error) {
      throw new TraceError(i + 1, `is not a JSON object (${(error as Error).message})`);
    }
  });
  const header = records[0]!;
  if (header.type !== "header" || typeof header.prompt !== "string" || typeof header.options !== "object" || !Array.isArray(header.promptTokens)) {
    throw new TraceError(1, "the first line must be the header {type: \"header\", prompt, promptTokens, options, model}");
  }
  if (header.version !== TRACE_VERSION) throw new TraceError(1, `version ${String(header.version)} is not supported (expected ${TRACE_VERSION})`);
  const options = header.options as Record<string, unknown>;
  if (typeof options.delimiterThreshold === "string") options.delimiterThreshold = Number(options.delimiterThreshold);
  const last = records[records.length - 1]!;
  if (records.length < 2 || last.type !== "result") throw new TraceError(records.length, "the last line must be the result {type: \"result\", ...}");
  const steps = records.slice(1, -1).map((record, i) => {
    if (record.type !== "step") throw new TraceError(i + 2, `expected a step, got type ${JSON.stringify(record.type)}`);
    const step = toStep(record, i + 2);
    if (step.step !== i) throw new TraceError(i + 2, `steps out of order: expected step ${i}, got ${step.step}`);
    return step;
  });
  if (last.nfe !== steps.length) throw new TraceError(records.length, `the result reports ${String(last.nfe)} passes but the trace has ${steps.length} steps`);
  const { type: _type, ...result } = last;
  const { type: _headerType, ...headerRest } = header;
  return { header: { type: "header", ...headerRest } as TraceHeader, steps, result: result as unknown as GenerateResult };
}
