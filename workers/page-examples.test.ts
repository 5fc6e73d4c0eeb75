/**
 * The page's example prompts (index.html's #examples) are things the shipped model does well:
 * each carries its answer (data-answer), and the worker, as the page runs it (onnxruntime-web
 * WASM, the int8 graph, the page's default decoder settings), must write that `#### n`. A prompt
 * without an answer to check, such as a prose opener, fails the test (issue #22: the model's
 * prose is poor, so the page offers none).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../src/decoding/options.ts";
import type { ServedFolder } from "../src/node/serve-folder.ts";
import { extractAnswer } from "../src/problems/score.ts";
import { api } from "./engine.worker.ts";
import { serveShippedModels } from "./testing.ts";

interface Example {
  label: string;
  prompt: string;
  answer: number | null;
}

const ENTITIES: Record<string, string> = { "&#10;": "\n", "&amp;": "&", "&quot;": '"', "&#39;": "'", "&lt;": "<", "&gt;": ">" };
const decodeEntities = (text: string): string => text.replace(/&#10;|&amp;|&quot;|&#39;|&lt;|&gt;/g, (entity) => ENTITIES[entity]!);

function pageExamples(): Example[] {
  const html = readFileSync(resolve(import.meta.dirname, "../index.html"), "utf8");
  const select = /<select id="examples">([\s\S]*?)<\/select>/.exec(html)?.[1] ?? "";
  return [...select.matchAll(/<option value="([^"]*)"([^>]*)>([\s\S]*?)<\/option>/g)]
    .filter(([, value]) => value !== "")
    .map(([, value, attributes, label]) => {
      const answer = /data-answer="(-?\d+)"/.exec(attributes!)?.[1];
      return { label: label!.trim(), prompt: decodeEntities(value!), answer: answer === undefined ? null : Number(answer) };
    });
}

describe("the page's example prompts", () => {
  let served: ServedFolder;
  beforeAll(async () => {
    served = await serveShippedModels();
    await api.load({ baseUrl: `${served.url}dllm-tiny/`, backend: "wasm", wasmThreads: 1 });
  });
  afterAll(async () => {
    await served.close();
  });

  it("are word problems, each with its answer, of two to four steps", () => {
    const examples = pageExamples();
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const example of examples) expect(example.answer, example.label).not.toBeNull();
    const steps = new Set(examples.map((e) => /\((\d) steps/.exec(e.label)?.[1]));
    expect([...steps].sort()).toEqual(["2", "3", "4"]);
  });

  it("are answered correctly with the page's default decoder", async () => {
    const wrong: string[] = [];
    for (const example of pageExamples()) {
      const result = await api.generate(example.prompt, DEFAULT_OPTIONS);
      if (extractAnswer(result.text) !== example.answer) wrong.push(`${example.label}: wrote ${JSON.stringify(result.text)}`);
    }
    expect(wrong).toEqual([]);
  }, 120_000);
});
