/**
 * `npm run model:build`: rebuilds the shipped model from nothing, step by step.
 * Each step skips work whose output exists (so a stopped build resumes); training resumes
 * from its last checkpoint.
 *
 *   npm run model:build -- [--preset cpu|cuda] [--steps N[,N...]] [--minutes N] [--threads N] [--lr X] [--mix v1|lengths|compact|v2easy|v2mid|v2long|v2states|v2|v2compact] [--bf16] [--continue] [--seed S] [--only STEP] [--from STEP]
 *   npm run model:build -- --device-bundle [--mix M]  (pack data + shipped weights for a lent GPU machine;
 *                                                      then pass the same --mix to model/device-train.sh)
 *   npm run model:build -- --weights FILE --from export  (export weights trained elsewhere)
 *
 * --continue: with no checkpoint in model/work, train on from the shipped model's weights.
 * --mix: train.py's data mix (default v1; lengths: the same problems at canvas lengths 64/128/256;
 *   v2easy: those and two-digit v2 word problems, in the same layout; v2mid: those and v2 word problems
 *   with numbers to 999 and 1-3 steps, in the same layout; v2long: those and v2 word problems of 4-6
 *   steps, in the same layout (on canvases of 128 and 256); v2states: v2long's data, half its drill
 *   batches states of the page's decoder (train.py DECODER_STATES); compact: the v1 problems in
 *   the v2 answer layout; v2: v1 and all v2 word problems in that layout; v2compact: v2states in
 *   that layout, where every answer fits L = 64. See data.ts MIX_DATA).
 *
 * Needs Debian's python3-torch python3-onnx python3-numpy python3-sentencepiece
 * libopenblas0-openmp, run with /usr/bin/python3.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeModelCard } from "./card.ts";
import { DATA_MIXES, type DataMix, MIX_DATA, dataMismatch, loadCodec, proseParagraphs, writeSentences, writeTokenFiles, writeV2TokenFiles } from "./data.ts";
import { scriptArgs } from "../cli/script-args.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const WORK = join(ROOT, "model", "work");
export const MODEL_NAME = "dllm-tiny";
const MODEL_DIR = join(ROOT, "public", "models", MODEL_NAME);
const PYTHON = process.env.PYTHON ?? "/usr/bin/python3";
const STEPS = ["tokenizer", "data", "train", "export", "card"] as const;
type Step = (typeof STEPS)[number];

const log = (line: string): void => console.error(`[model:build] ${line}`);

function python(script: string, args: string[]): void {
  const result = spawnSync(PYTHON, [join(ROOT, "model", script), ...args], { stdio: "inherit" });
  if (result.status !== 0) throw new Error(`${script} failed (exit ${result.status ?? result.signal})`);
}

interface BuildOptions {
  preset: string;
  steps?: string | undefined;
  /** A wall-clock cap on training. */
  minutes?: string | undefined;
  threads?: string | undefined;
  /** Peak learning rate, instead of the preset's. */
  lr?: string | undefined;
  /** train.py's --mix (absent: its default, v1). */
  mix?: string | undefined;
  /** train.py's --bf16: bfloat16 matrix products in the training step. */
  bf16?: boolean;
  /** Start training from the shipped model's weights when there is no checkpoint. */
  continue: boolean;
  seed: string;
}

async function run(step: Step, options: BuildOptions): Promise<void> {
  const tokenizerDir = join(WORK, "tokenizer");
  switch (step) {
    case "tokenizer": {
      if (existsSync(join(tokenizerDir, "tokenizer.json"))) return log("tokenizer: exists, skipped");
      mkdirSync(WORK, { recursive: true });
      if (options.continue) {
        // Continuing needs the shipped vocabulary, not a newly learned one.
        mkdirSync(tokenizerDir, { recursive: true });
        for (const file of ["tokenizer.json", "tokenizer_config.json"]) cpSync(join(MODEL_DIR, file), join(tokenizerDir, file));
        return log("tokenizer: copied from the shipped model");
      }
      const sentences = writeSentences(WORK, proseParagraphs(WORK));
      python("tokenizer.py", [sentences, tokenizerDir, "4000"]);
      return;
    }
    case "data": {
      const mix = parseMix(options.mix);
      const metaPath = join(WORK, "data", "meta.json");
      if (existsSync(metaPath)) {
        const mismatch = dataMismatch(JSON.parse(readFileSync(metaPath, "utf8")) as Parameters<typeof dataMismatch>[0], mix);
        if (mismatch !== null) throw new Error(`${join(WORK, "data")}: ${mismatch}; move the folder away (or the whole work folder) and run again`);
        return log("data: exists, skipped");
      }
      const format = MIX_DATA[mix];
      if (format !== "v1") {
        const pieces = (JSON.parse(readFileSync(join(tokenizerDir, "tokenizer.json"), "utf8")) as { model: { vocab: [string, number][] } }).model.vocab.map(([piece]) => piece);
        writeV2TokenFiles(WORK, loadCodec(tokenizerDir), pieces, proseParagraphs(WORK), log, format);
      } else {
        writeTokenFiles(WORK, loadCodec(tokenizerDir), proseParagraphs(WORK), log);
      }
      return;
    }
    case "train": {
      const args = ["--work", WORK, "--preset", options.preset, "--seed", options.seed];
      if (options.steps) args.push("--steps", options.steps);
      if (options.minutes) args.push("--minutes", options.minutes);
      if (options.threads) args.push("--threads", options.threads);
      if (options.lr) args.push("--lr", options.lr);
      if (options.mix) args.push("--mix", options.mix);
      if (options.bf16) args.push("--bf16");
      if (options.continue) args.push("--init-onnx", join(MODEL_DIR, "onnx", "model.onnx"));
      python("train.py", args);
      return;
    }
    case "export": {
      mkdirSync(join(MODEL_DIR, "onnx"), { recursive: true });
      for (const file of ["tokenizer.json", "tokenizer_config.json"]) cpSync(join(tokenizerDir, file), join(MODEL_DIR, file));
      const codec = loadCodec(tokenizerDir);
      const delimiters = ["\n", ".", ","].map((piece) => codec.idOf(piece));
      const fixture = join(ROOT, "model", "fixtures", `${MODEL_NAME}.parity.json`);
      mkdirSync(dirname(fixture), { recursive: true });
      python("export.py", ["--work", WORK, "--out", MODEL_DIR, "--delimiters", delimiters.join(","), "--fixture", fixture]);
      log(`export: ${MODEL_DIR} (${JSON.parse(readFileSync(join(MODEL_DIR, "config.json"), "utf8")).vocab_size} tokens)`);
      return;
    }
    case "card":
      return writeModelCard(MODEL_DIR, MODEL_NAME, log);
  }
}

function parseMix(mix: string | undefined): DataMix {
  if (mix === undefined) return "v1";
  const known = DATA_MIXES.find((name) => name === mix);
  if (known === undefined) throw new Error(`--mix must be one of ${DATA_MIXES.join(", ")}, got "${mix}"`);
  return known;
}

/** Everything model/device-train.sh needs, in one file small enough for the device tool's carry (64 MiB). */
function deviceBundle(): void {
  const init = join(WORK, "init.pt");
  python("onnx_to_pt.py", [join(MODEL_DIR, "onnx", "model.onnx"), join(WORK, "tokenizer", "tokenizer.json"), init]);
  const bundle = join(WORK, "device-bundle.tar.gz");
  const tar = spawnSync("tar", ["-czf", bundle, "-C", WORK, "data", "tokenizer", "init.pt"], { stdio: "inherit" });
  rmSync(init);
  if (tar.status !== 0) throw new Error(`tar failed (exit ${tar.status ?? tar.signal})`);
  const mib = statSync(bundle).size / 2 ** 20;
  if (mib > 60) throw new Error(`${bundle} is ${mib.toFixed(1)} MiB, more than the device tool carries`);
  log(`device bundle: ${bundle} (${mib.toFixed(1)} MiB)`);
  log(`on the device (run tool): command "bash model/device-train.sh", carry ["model/work/device-bundle.tar.gz"]`);
  log("back here: npm run model:build -- --weights <files_at>/weights.pt --from export");
}

const USAGE = `usage: npm run model:build -- [--preset cpu|cuda] [--steps N[,N...]] [--minutes N] [--threads N] [--lr X]
    [--mix v1|lengths|compact|v2easy|v2mid|v2long|v2states|v2|v2compact] [--bf16] [--continue] [--seed S] [--only STEP] [--from STEP]
  npm run model:build -- --device-bundle [--mix M]   (pack data and the shipped weights for a lent GPU machine)
  npm run model:build -- --weights FILE --from export   (export weights trained elsewhere)
  steps: ${STEPS.join(", ")}; each skips work whose output exists, and training resumes from its checkpoint;
  --continue: with no checkpoint in model/work, train on from the shipped weights`;

async function main(): Promise<void> {
  const options = {
    preset: { type: "string", default: "cpu" },
    steps: { type: "string" },
    minutes: { type: "string" },
    threads: { type: "string" },
    lr: { type: "string" },
    mix: { type: "string" },
    continue: { type: "boolean", default: false },
    bf16: { type: "boolean", default: false },
    seed: { type: "string", default: "0" },
    only: { type: "string" },
    from: { type: "string" },
    "device-bundle": { type: "boolean", default: false },
    weights: { type: "string" },
  } as const;
  const values = scriptArgs({ name: "model:build", usage: USAGE }, options, (flags) => flags);
  parseMix(values.mix); // a bad --mix fails before any step runs
  if (values["device-bundle"]) {
    // Same vocabulary and data as the shipped model, so the device run continues it.
    for (const step of ["tokenizer", "data"] as const) await run(step, { preset: "cuda", mix: values.mix, continue: true, seed: values.seed! });
    return deviceBundle();
  }
  if (values.weights !== undefined) {
    // Weights trained elsewhere (device-train.sh) take the checkpoint's place for export and card.
    if (!existsSync(values.weights)) throw new Error(`--weights: ${values.weights} does not exist`);
    mkdirSync(WORK, { recursive: true });
    cpSync(values.weights, join(WORK, "checkpoint.pt"));
    // They continue the shipped vocabulary, which export copies back into the model folder.
    await run("tokenizer", { preset: values.preset!, continue: true, seed: values.seed! });
  }
  const pick = (name: string | undefined): number => {
    const index = STEPS.indexOf(name as Step);
    if (name !== undefined && index < 0) throw new Error(`unknown step "${name}"; steps: ${STEPS.join(", ")}`);
    return index;
  };
  const only = pick(values.only);
  const from = Math.max(0, pick(values.from));
  const steps = only >= 0 ? [STEPS[only]!] : STEPS.slice(from);
  for (const step of steps) {
    log(`step ${step}`);
    await run(step, { preset: values.preset!, steps: values.steps, minutes: values.minutes, threads: values.threads, lr: values.lr, mix: values.mix, bf16: values.bf16!, continue: values.continue!, seed: values.seed! });
  }
}

main().catch((error: unknown) => {
  console.error(`model:build: ${(error as Error).message}`);
  process.exit(1);
});
