/**
 * Bad input to `npm run generate`: every case exits with status 2 and one stderr line naming
 * the flag (or the model file) and what is wrong, and prints nothing on stdout.
 */
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliRunner } from "./testing.ts";
import { DEFAULT_MODEL_PATH } from "../src/node/model.ts";
import { serveFolder, type ServedFolder } from "../src/node/serve-folder.ts";

const ROOT = join(import.meta.dirname, "..");
const cli = cliRunner("generate.ts");

async function expectBadInput(args: string[], pattern: RegExp): Promise<void> {
  const { code, stderr, stdout } = await cli(args);
  expect(stderr).toMatch(pattern);
  expect(stderr.trim().split("\n")).toHaveLength(1);
  expect(code).toBe(2);
  expect(stdout).toBe("");
}

describe("npm run generate: bad flags", () => {
  const cases: [string, string[], RegExp][] = [
    ["missing --prompt", ["--gen-length", "8"], /^generate: OptionError: --prompt: is required/],
    ["unknown flag", ["--prompt", "x", "--block-length", "4"], /^generate: OptionError: arguments: Unknown option '--block-length'/],
    ["seed not a number", ["--prompt", "x", "--seed", "abc"], /^generate: OptionError: --seed: must be a number, got "abc"/],
    ["seed not an integer", ["--prompt", "x", "--seed", "1.5"], /^generate: OptionError: --seed: must be an integer in \[0, 4294967295\], got 1.5/],
    ["threshold NaN", ["--prompt", "x", "--threshold", "NaN"], /^generate: OptionError: --threshold: must be a number, got "NaN"/],
    ["gen length huge", ["--prompt", "x", "--gen-length", "100000"], /^generate: OptionError: --gen-length: must be an integer in \[1, \d+\], got 100000/],
    ["a flag the default decoder does not read", ["--prompt", "x", "--steps", "0"], /^generate: OptionError: --steps: applies to --decoder fixed, not adablock \(the default\)/],
    ["steps that cannot be spread", ["--prompt", "x", "--decoder", "fixed", "--gen-length", "8", "--block-size", "4", "--steps", "3"], /--steps: must be a multiple of the number of blocks \(2 = 8 \/ 4\), got 3/],
    ["tau_D negative", ["--prompt", "x", "--delimiter-threshold=-1"], /--delimiter-threshold: must be >= 0 \(Infinity = fixed blocks\), got -1/],
    ["delimiter that is not one token", ["--prompt", "x", "--delimiters", "zqxjv"], /--delimiters: "zqxjv" is not a single token of this tokenizer/],
    ["temperature negative", ["--prompt", "x", "--temperature=-1"], /--temperature: must be a finite number >= 0, got -1/],
    ["negative number without =", ["--prompt", "x", "--temperature", "-1"], /arguments: Option '--temperature' argument is ambiguous.*'--temperature=-XYZ'/],
    ["prompt longer than the context", ["--prompt", "word ".repeat(3000)], /--prompt: is \d+ tokens; the model's context is \d+, leaving no room to generate/],
    ["model URL not http(s)", ["--prompt", "x", "--model", "ftp://example.org/model/"], /ModelLoadError: ftp:\/\/example.org\/model\/: must be an http\(s\) URL, got ftp:/],
    ["model name that is nothing", ["--prompt", "x", "--model", "no-such-model"], /ModelLoadError: no-such-model: is neither a model folder \(no such directory\), an http\(s\) URL, nor a Hugging Face repo id/],
    ["unknown dtype", ["--prompt", "x", "--dtype", "int4"], /^generate: OptionError: --dtype: must be one of fp32, fp16, q4f16, q8, q4, got int4/],
    ["dtype the folder lacks", ["--prompt", "x", "--dtype", "fp16"], /^generate: ModelLoadError: .*dllm-tiny: has no fp16 graph \(it has fp32, q8\)/],
    ["hub URL not http(s)", ["--prompt", "x", "--hub-url", "ftp://hub"], /^generate: OptionError: --hub-url: must be an http\(s\) URL, got "ftp:\/\/hub"/],
    ["--chat on a model without a chat template", ["--prompt", "x", "--chat"], /^generate: ModelLoadError: tokenizer_config\.json: has no "chat_template"/],
  ];
  for (const [name, args, pattern] of cases) it(name, () => expectBadInput(args, pattern));
});

describe("npm run generate: bad model folders", () => {
  let dir: string;
  let served: ServedFolder;
  const folder = (name: string, change: (path: string) => void): string => {
    const path = join(dir, name);
    cpSync(DEFAULT_MODEL_PATH, path, { recursive: true });
    change(path);
    return path;
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "bad-models-"));
    served = await serveFolder(dir);
  });
  afterAll(async () => {
    await served.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a model URL that 404s names the file and the status", () =>
    expectBadInput(["--prompt", "x", "--model", `${served.url}no-such-model/`], /ModelLoadError: config\.json: could not be fetched from .*HTTP 404/));

  it("a truncated model.onnx", () => {
    const path = folder("truncated", (p) => {
      const bytes = readFileSync(join(p, "onnx/model.onnx"));
      writeFileSync(join(p, "onnx/model.onnx"), bytes.subarray(0, bytes.length >> 1));
    });
    return expectBadInput(["--prompt", "x", "--model", path], /ModelContractError: onnx\/model\.onnx could not be opened as an ONNX model/);
  });

  it("a corrupted model.onnx (bytes overwritten)", () => {
    const path = folder("corrupted", (p) => {
      const bytes = readFileSync(join(p, "onnx/model.onnx"));
      bytes.fill(0x5a, 0, 4096);
      writeFileSync(join(p, "onnx/model.onnx"), bytes);
    });
    return expectBadInput(["--prompt", "x", "--model", path], /ModelContractError: onnx\/model\.onnx could not be opened as an ONNX model/);
  });

  it("a folder that names no mask token anywhere", () => {
    const path = folder("no-mask", (p) => {
      const { mask_token_id: _, ...config } = JSON.parse(readFileSync(join(p, "config.json"), "utf8")) as Record<string, unknown>;
      writeFileSync(join(p, "config.json"), JSON.stringify(config));
      const { mask_token: __, ...tokenizerConfig } = JSON.parse(readFileSync(join(p, "tokenizer_config.json"), "utf8")) as Record<string, unknown>;
      writeFileSync(join(p, "tokenizer_config.json"), JSON.stringify(tokenizerConfig));
    });
    return expectBadInput(["--prompt", "x", "--model", path], /ModelLoadError: tokenizer_config\.json: names no "mask_token" and config\.json has no "mask_token_id"/);
  });

  it("a mask token the tokenizer lacks", () => {
    const path = folder("bad-mask", (p) => {
      const tokenizerConfig = JSON.parse(readFileSync(join(p, "tokenizer_config.json"), "utf8")) as Record<string, unknown>;
      writeFileSync(join(p, "tokenizer_config.json"), JSON.stringify({ ...tokenizerConfig, mask_token: "<|mask|>" }));
    });
    return expectBadInput(["--prompt", "x", "--model", path], /ModelLoadError: tokenizer_config\.json: "mask_token" "<\|mask\|>" is not in the vocabulary of tokenizer\.json/);
  });

  it("an ONNX graph with other input and output names", () => {
    const path = folder("wrong-names", (p) => copyFileSync(join(ROOT, "model/fixtures/wrong-names.onnx"), join(p, "onnx/model.onnx")));
    return expectBadInput(["--prompt", "x", "--model", path], /ModelContractError: the ONNX graph must take "input_ids" .*and return "logits"; onnx\/model\.onnx takes \[tokens\] and returns \[scores\]/);
  });
});
