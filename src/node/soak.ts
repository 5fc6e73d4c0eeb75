/**
 * A long session in Node: many short generations through the engine on one loaded model,
 * sampling memory after a garbage collection every `sampleEvery` runs. The soak test asserts
 * on the figures and prints them for docs/reliability.md.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { generate } from "../decoding/engine.ts";
import type { GenerateOptions } from "../decoding/types.ts";
import type { LoadedModel } from "./model.ts";

export interface MemorySample {
  generation: number;
  heapUsed: number;
  rss: number;
  external: number;
  liveTensors: number;
}

export interface Growth {
  /** Mean over the samples of the first tenth of the generations. */
  start: number;
  /** Mean over the samples of the last tenth. */
  end: number;
  /** end / start - 1. */
  growth: number;
}

export interface SoakFigures {
  generations: number;
  passes: number;
  seconds: number;
  tensorsSeen: number;
  liveTensorsAtEnd: number;
  heapUsed: Growth;
  rss: Growth;
  external: Growth;
  samples: MemorySample[];
}

/** gc() without starting Node with --expose-gc: the flag can be set at run time for a fresh context. */
function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

const PROMPTS = ["Question: Ben has 4 cups. He buys 3 more. How many cups does Ben have now?\nAnswer:\n", "", "The", "😀 مرحبا שלום \u0000 e\u0301"];

/** Short runs cycling through every decoder, prompt and a few seeds and temperatures. */
export function soakOptions(generation: number): Partial<GenerateOptions> {
  const base = { genLength: 6, seed: generation, temperature: generation % 3 === 0 ? 0.7 : 0 };
  switch (generation % 4) {
    case 0:
      return { ...base, decoder: "threshold", blockSize: 6, threshold: 0.9 };
    case 1:
      return { ...base, decoder: "adablock", blockSize: 3, delimiterThreshold: 0.3 };
    case 2:
      return { ...base, decoder: "factor", blockSize: 3, factor: 1 };
    default:
      return { ...base, decoder: "fixed", blockSize: 3, steps: 2 };
  }
}

function growth(samples: MemorySample[], key: "heapUsed" | "rss" | "external", tenth: number): Growth {
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const start = mean(samples.filter((s) => s.generation <= tenth).map((s) => s[key]));
  const end = mean(samples.filter((s) => s.generation > samples.at(-1)!.generation - tenth).map((s) => s[key]));
  return { start, end, growth: end / start - 1 };
}

export async function soak(loaded: LoadedModel, generations: number, sampleEvery = 10): Promise<SoakFigures> {
  const gc = collector();
  const samples: MemorySample[] = [];
  const started = performance.now();
  let passes = 0;
  for (let generation = 1; generation <= generations; generation++) {
    const result = await generate(loaded, PROMPTS[generation % PROMPTS.length]!, soakOptions(generation), { onStep: () => {} });
    passes += result.nfe;
    if (generation % sampleEvery === 0) {
      gc();
      const memory = process.memoryUsage();
      samples.push({ generation, heapUsed: memory.heapUsed, rss: memory.rss, external: memory.external, liveTensors: loaded.model.liveTensors });
    }
  }
  const tenth = Math.max(sampleEvery, Math.floor(generations / 10));
  return {
    generations,
    passes,
    seconds: (performance.now() - started) / 1000,
    tensorsSeen: loaded.model.tensorsSeen,
    liveTensorsAtEnd: loaded.model.liveTensors,
    heapUsed: growth(samples, "heapUsed", tenth),
    rss: growth(samples, "rss", tenth),
    external: growth(samples, "external", tenth),
    samples,
  };
}
