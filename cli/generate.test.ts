import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliRunner } from "./testing.ts";
import { DEFAULT_OPTIONS, resolveOptions } from "../src/decoding/options.ts";
import { fakeCodec } from "../src/decoding/testing.ts";
import { parseTrace } from "../src/decoding/trace.ts";
import type { ModelConfig } from "../src/model/model-folder.ts";
import { serveHub, writeFakeExport, type FakeHub } from "../src/node/fake-export.ts";
import { parseCliArgs, parseDelimiters } from "./args.ts";

const cli = cliRunner("generate.ts");

describe("CLI argument parsing", () => {
  it("maps flags onto engine options", () => {
    const args = parseCliArgs(["--prompt", "hi", "--decoder", "adablock", "--gen-length", "32", "--delimiter-threshold", "Infinity", "--delimiters", "\\n,.,\\,", "--json"]);
    expect(args.options).toMatchObject({ decoder: "adablock", genLength: 32, delimiterThreshold: Infinity, delimiters: ["\n", ".", ","] });
    expect(args.json).toBe(true);
    expect(parseCliArgs(["--prompt", "hi", "--cache", "dual"]).options.cache).toBe("dual");
  });
  it("reads --dtype, --chat and the hub URL (flag, else DLLM_HUB_URL)", () => {
    const args = parseCliArgs(["--prompt", "hi", "--model", "owner/name", "--dtype", "q4f16", "--chat"], {});
    expect(args).toMatchObject({ model: "owner/name", dtype: "q4f16", chat: true, hubUrl: undefined });
    expect(parseCliArgs(["--prompt", "hi"], { DLLM_HUB_URL: "http://127.0.0.1:9/" }).hubUrl).toBe("http://127.0.0.1:9");
    expect(parseCliArgs(["--prompt", "hi", "--hub-url", "http://a/"], { DLLM_HUB_URL: "http://b/" }).hubUrl).toBe("http://a");
    expect(() => parseCliArgs(["--prompt", "hi", "--dtype", "fp8"], {})).toThrow(/^--dtype: must be one of fp32, fp16, q4f16, q8, q4, got fp8/);
    expect(() => parseCliArgs(["--prompt", "hi"], { DLLM_HUB_URL: "hub" })).toThrow(/^DLLM_HUB_URL: must be an http\(s\) URL/);
  });
  it("splits delimiter lists with escapes", () => {
    expect(parseDelimiters("\\n")).toEqual(["\n"]);
    expect(parseDelimiters(".,\\,")).toEqual([".", ","]);
  });
  it("names the flag of a non-number", () => {
    expect(() => parseCliArgs(["--prompt", "x", "--seed", "abc"])).toThrow(/--seed: must be a number/);
    expect(() => parseCliArgs(["--gen-length", "3"])).toThrow(/--prompt: is required/);
  });
  it("rejects a flag the chosen decoder does not read, naming the decoders that read it", () => {
    const parse = (...flags: string[]) => () => parseCliArgs(["--prompt", "x", ...flags], {});
    expect(parse("--steps", "0")).toThrow(/^--steps: applies to --decoder fixed, not adablock \(the default\)$/);
    expect(parse("--remasking", "random")).toThrow(/^--remasking: applies to --decoder fixed, not adablock \(the default\)$/);
    expect(parse("--decoder", "threshold", "--steps", "8")).toThrow(/^--steps: applies to --decoder fixed, not threshold$/);
    expect(parse("--decoder", "fixed", "--threshold", "0.5")).toThrow(/^--threshold: applies to --decoder threshold or adablock, not fixed$/);
    expect(parse("--decoder", "threshold", "--factor", "2")).toThrow(/^--factor: applies to --decoder factor or adablock, not threshold$/);
    expect(parse("--decoder", "factor", "--threshold", "0.5")).toThrow(/^--threshold: applies to --decoder threshold or adablock, not factor$/);
    for (const flag of ["--delimiter-threshold", "--delimiters", "--inner-rule"]) {
      expect(parse("--decoder", "fixed", flag, "1")).toThrow(new RegExp(`^${flag}: applies to --decoder adablock, not fixed$`));
    }
    // An unknown decoder is still the engine's to name, listing the valid ones.
    expect(parse("--decoder", "greedy", "--steps", "8")).not.toThrow();
  });
  it("accepts the flags the chosen decoder reads, and the shared ones with every decoder", () => {
    const parse = (...flags: string[]) => parseCliArgs(["--prompt", "x", ...flags], {}).options;
    expect(parse("--decoder", "fixed", "--steps", "8", "--remasking", "random")).toMatchObject({ decoder: "fixed", steps: 8, remasking: "random" });
    expect(parse("--decoder", "threshold", "--threshold", "0.5")).toMatchObject({ threshold: 0.5 });
    expect(parse("--decoder", "factor", "--factor", "2")).toMatchObject({ factor: 2 });
    expect(parse("--threshold", "0.8", "--factor", "2", "--delimiter-threshold", "0.5", "--delimiters", ".", "--inner-rule", "factor")).toMatchObject({
      threshold: 0.8,
      factor: 2,
      delimiterThreshold: 0.5,
      delimiters: ["."],
      innerRule: "factor",
    });
    for (const decoder of ["fixed", "threshold", "factor", "adablock"]) {
      const shared = ["--gen-length", "16", "--block-size", "8", "--temperature", "0.5", "--seed", "3", "--cache", "dual"];
      expect(parse("--decoder", decoder, ...shared)).toMatchObject({ decoder, genLength: 16, blockSize: 8, temperature: 0.5, seed: 3, cache: "dual" });
    }
  });
  it("leaves every flag not given to the engine's defaults", () => {
    const model = { config: { maxSequenceLength: 512 } as ModelConfig, codec: fakeCodec() };
    const resolve = (...flags: string[]) => resolveOptions(parseCliArgs(["--prompt", "x", ...flags], {}).options, model, 1);
    expect(resolve()).toEqual(DEFAULT_OPTIONS);
    // fixed: steps defaults to one pass per generated token.
    expect(resolve("--decoder", "fixed", "--gen-length", "32")).toEqual({ ...DEFAULT_OPTIONS, decoder: "fixed", genLength: 32, steps: 32 });
  });
});

describe("npm run generate", () => {
  it("prints one JSON object and writes a trace that replays", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-"));
    const trace = join(dir, "run.jsonl");
    const { code, stdout } = await cli(["--prompt", "Question: Ava has 3 cups. She buys 2 more. How many cups does Ava have now?\nAnswer:\n", "--decoder", "adablock", "--gen-length", "32", "--json", "--trace", trace]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { text: string; tokens: number[]; nfe: number; blocks: number[][]; stopReason: string; ms: number };
    expect(Object.keys(out).sort()).toEqual(["blocks", "ms", "nfe", "stopReason", "text", "tokens"]);
    expect(out.nfe).toBeGreaterThan(0);
    const parsed = parseTrace(readFileSync(trace, "utf8"));
    expect(parsed.steps).toHaveLength(out.nfe);
    expect(parsed.result.tokens).toEqual(out.tokens);
  });

  it("generates with --cache dual (the KV-cache graph) as with no cache at the first pass", async () => {
    const prompt = "Question: Ava has 3 cups. She buys 2 more. How many cups does Ava have now?\nAnswer:\n";
    const base = ["--prompt", prompt, "--decoder", "threshold", "--gen-length", "32", "--block-size", "8", "--json"];
    const [none, dual] = await Promise.all([cli(base), cli([...base, "--cache", "dual"])]);
    expect(dual.code).toBe(0);
    const [a, b] = [none, dual].map((r) => JSON.parse(r.stdout) as { tokens: number[]; blocks: number[][] });
    expect(b!.blocks[0]).toEqual(a!.blocks[0]);
    expect(b!.tokens.length).toBeGreaterThan(0);
  });

  it("exits 2 with a one-line message naming the flag for bad input", async () => {
    for (const [args, pattern] of [
      [["--prompt", "x", "--gen-length", "0"], /--gen-length: must be an integer/],
      [["--prompt", "x", "--threshold", "1.5"], /--threshold: must be in \(0, 1\]/],
      [["--prompt", "x", "--decoder", "greedy"], /--decoder: must be one of fixed, threshold, factor, adablock/],
      [["--prompt", "x", "--cache", "full"], /--cache: must be one of none, prefix, dual, got full/],
      [["--prompt", "x", "--model", "/no/such/folder"], /ModelLoadError: \/no\/such\/folder/],
    ] as const) {
      const { code, stderr, stdout } = await cli([...args]);
      expect(code).toBe(2);
      expect(stderr.trim().split("\n")).toHaveLength(1);
      expect(stderr).toMatch(pattern);
      expect(stdout).toBe("");
    }
  });
});

describe("npm run generate with a real export's layout", () => {
  let root: string;
  let hub: FakeHub;
  const template = readFileSync(join(import.meta.dirname, "../src/model/fixtures/qwen3-chat-template.jinja"), "utf8");
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "cli-hub-"));
    writeFakeExport(join(root, "owner/replica"), { graphs: { "model_fp16_fused.onnx": true, "model_q4f16_rtn_sym.onnx": true }, chatTemplate: template });
    hub = await serveHub(root);
  });
  afterAll(async () => {
    await hub.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("--chat by repo id from DLLM_HUB_URL: the prompt goes through the template, the answer has no special tokens", async () => {
    const trace = join(root, "chat.jsonl");
    process.env.DLLM_HUB_URL = hub.url;
    const run = cli(["--prompt", "Hi", "--model", "owner/replica", "--dtype", "q4f16", "--chat", "--gen-length", "8", "--block-size", "4", "--json", "--trace", trace]);
    delete process.env.DLLM_HUB_URL;
    const { code, stdout, stderr } = await run;
    expect(stderr).not.toMatch(/Error/);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { text: string; tokens: number[] };
    expect(out.text).toMatch(/^(he)+$/);
    expect(hub.requests).toContain("GET /owner/replica/resolve/main/onnx/model_q4f16_rtn_sym.onnx.data");
    expect(parseTrace(readFileSync(trace, "utf8")).header.prompt).toBe("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
  });

  it("a plain prompt from the local folder with --dtype fp16", async () => {
    const { code, stdout } = await cli(["--prompt", "x\n", "--model", join(root, "owner/replica"), "--dtype", "fp16", "--gen-length", "4", "--block-size", "4", "--json"]);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { tokens: number[] }).tokens.length).toBeGreaterThan(0);
  });
});

// The local replicas of the Qwen3-0.6B exports (committed; model/replica/build.sh rebuilds them).
const REPLICAS = join(import.meta.dirname, "../model/replica/hub/dllm-replica");
for (const kind of ["mdlm", "bd3lm"]) {
  const folder = join(REPLICAS, `Qwen3-replica-diffusion-${kind}-ONNX`);
  describe.skipIf(!existsSync(join(folder, "config.json")))(`npm run generate on the ${kind} replica`, () => {
    for (const dtype of ["fp16", "q4f16"]) {
      it(`--chat --dtype ${dtype} from the local folder: an answer without special tokens`, async () => {
        const { code, stdout, stderr } = await cli(["--prompt", "What is 12 + 7?", "--model", folder, "--dtype", dtype, "--chat", "--gen-length", "16", "--block-size", "8", "--json"]);
        expect(stderr).not.toMatch(/Error/);
        expect(code).toBe(0);
        const out = JSON.parse(stdout) as { text: string; tokens: number[] };
        expect(out.tokens.length).toBeGreaterThan(0);
        expect(out.text).not.toMatch(/<\|[a-z_]+\|>/);
      });
    }
  });
}
