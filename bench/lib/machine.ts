/** What a benchmark ran on, for its report: CPU, memory, runtimes, browser, model. */
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from "node:os";
import { join, resolve } from "node:path";

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  onnxruntimeNode: string;
  onnxruntimeWeb: string;
  /** 1-minute load average when the run started: other work on the machine skews timings. */
  loadAverage: number;
}

export interface ModelInfo {
  path: string;
  /** Training steps from config.json; 0 = random weights. */
  trainingSteps: number;
  parameters: string;
}

const ROOT = resolve(import.meta.dirname, "../..");

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "not installed";
  }
}

export function machineInfo(): MachineInfo {
  return {
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    onnxruntimeNode: packageVersion("onnxruntime-node"),
    onnxruntimeWeb: packageVersion("onnxruntime-web"),
    loadAverage: Number(loadavg()[0]!.toFixed(2)),
  };
}

export function modelInfo(dir: string): ModelInfo {
  const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as Record<string, unknown> & { training?: { steps?: number } };
  const shape = ["num_hidden_layers", "hidden_size", "num_attention_heads", "vocab_size"].map((key) => `${key.replace(/_/g, " ")} ${String(config[key])}`);
  return { path: dir, trainingSteps: config.training?.steps ?? 0, parameters: shape.join(", ") };
}
