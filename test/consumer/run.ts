/**
 * `npm run test:consumer`: the package as someone else gets it. Builds and packs the tarball, then
 * in fresh temporary folders (nothing copied from this repository but the tarball; the page,
 * main.ts and configs below are written here):
 *
 *  - a Vite app installs the tarball and vite, type-checks main.ts against the package's types,
 *    builds, and is served cross-origin isolated while the model folder (public/models/dllm-tiny)
 *    is served from another origin, as a model host would; Chromium loads the model by URL,
 *    generates with AdaBlock receiving every step, and cancels a run. The same page then runs
 *    under Vite's dev server (dependencies pre-bundled) and as a plain <script type="module">
 *    importing the installed package's files from a static host;
 *  - the built app with its .wasm files, or its worker, removed must fail to load, so this test
 *    can fail;
 *  - a Node folder installs the tarball and onnxruntime-node, runs `npx dllm-web generate`, and a
 *    10-line script that imports `dllm-web/node` and generates.
 *
 * npm installs use the local cache first (--prefer-offline); a clean machine fetches from the
 * registry as `npm install` does. KEEP_CONSUMER=1 keeps the temporary folder.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { chromium, type Browser } from "@playwright/test";
import { serveFolder, type ServedFolder } from "../../src/node/serve-folder.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const MODEL = resolve(ROOT, "public/models/dllm-tiny");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"];
const PROMPT = "Question: Mia has 14 apples. She buys 9 more and gives 6 to Leo. How many apples does Mia have now?\nAnswer:\n";
/** How long one page may take to load the model and run both generations (a busy machine is slow). */
const PAGE_TIMEOUT_MS = 240_000;

const versionOf = (name: string): string => (JSON.parse(readFileSync(resolve(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
const started = Date.now();
const timings: string[] = [];

async function step<T>(name: string, run: () => T | Promise<T>): Promise<T> {
  const t0 = Date.now();
  process.stdout.write(`consumer: ${name}\n`);
  const value = await run();
  timings.push(`${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${name}`);
  return value;
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`consumer test: ${message}`);
}

const INSTALL_ENV = { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip", npm_config_update_notifier: "false" };

function npm(cwd: string, args: string[]): string {
  return execFileSync("npm", args, { cwd, env: INSTALL_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
}

function install(cwd: string, packages: string[]): void {
  npm(cwd, ["install", "--prefer-offline", "--no-audit", "--no-fund", ...packages]);
}

// ---- the page a Vite user writes -------------------------------------------------------------

const INDEX_HTML = `<!doctype html>
<html>
  <head><meta charset="utf-8" /><link rel="icon" href="data:," /><title>dllm-web consumer</title></head>
  <body><pre id="out">running</pre><script type="module" src="/main.ts"></script></body>
</html>
`;

const MAIN_TS = `import { createDllmClient, type StepEvent } from "dllm-web";

const PROMPT = ${JSON.stringify(PROMPT)};

/** Loads the model from ?model=URL, generates with AdaBlock collecting steps, then cancels a long run. */
async function scenario(modelUrl: string) {
  const client = createDllmClient();
  const load = await client.load({ baseUrl: modelUrl, backend: "wasm" });
  const steps: StepEvent[] = [];
  const result = await client.generate(PROMPT, { decoder: "adablock" }, (step) => steps.push(step));
  let cancelled = false;
  const stopped = await client.generate(PROMPT, { decoder: "fixed", genLength: 256, steps: 256 }, () => {
    if (!cancelled) void client.cancel();
    cancelled = true;
  });
  client.terminate();
  return {
    backend: load.backend.backend,
    adablock: { text: result.text, nfe: result.nfe, blocks: result.blocks.length, stopReason: result.stopReason },
    steps: steps.map((step) => step.nfe),
    cancel: { stopReason: stopped.stopReason, nfe: stopped.nfe, genLength: 256 },
  };
}

const out = document.querySelector("#out") as HTMLElement;
scenario(new URLSearchParams(location.search).get("model") ?? "").then(
  (report) => (out.dataset.report = JSON.stringify({ ok: true, ...report })),
  (error: unknown) => (out.dataset.report = JSON.stringify({ ok: false, error: String(error) })),
);
`;

/** Only what any cross-origin-isolated app sets; nothing about this package. */
const VITE_CONFIG = `const headers = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };
export default { server: { headers }, preview: { headers } };
`;

const TSCONFIG = JSON.stringify(
  { compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "bundler", lib: ["ES2023", "DOM"], types: [], strict: true, noEmit: true, skipLibCheck: false }, files: ["main.ts"] },
  null,
  2,
);

/** The same client from a static host with no bundler: the installed package's files, imported by path. */
const STATIC_HTML = `<!doctype html>
<html>
  <head><meta charset="utf-8" /><link rel="icon" href="data:," /><title>dllm-web, no bundler</title></head>
  <body>
    <pre id="out">running</pre>
    <script type="module">
      import { createDllmClient } from "./node_modules/dllm-web/lib/index.js";
      const out = document.querySelector("#out");
      const client = createDllmClient();
      const steps = [];
      client
        .load({ baseUrl: new URLSearchParams(location.search).get("model"), backend: "wasm" })
        .then(() => client.generate(${JSON.stringify(PROMPT)}, { decoder: "adablock" }, (step) => steps.push(step.nfe)))
        .then((result) => (out.dataset.report = JSON.stringify({ ok: true, adablock: { text: result.text, nfe: result.nfe, blocks: result.blocks.length, stopReason: result.stopReason }, steps })))
        .catch((error) => (out.dataset.report = JSON.stringify({ ok: false, error: String(error) })));
    </script>
  </body>
</html>
`;

// ---- the Node user's script --------------------------------------------------------------------

const NODE_SCRIPT = `import { generate, loadModel, resolveOptions } from "dllm-web/node";

const model = await loadModel(process.argv[2]);
const prompt = ${JSON.stringify(PROMPT)};
const options = resolveOptions({ decoder: "adablock" }, model, model.codec.encode(prompt).length);
const steps = [];
const result = await generate(model, prompt, options, { onStep: (step) => steps.push(step.nfe) });
await model.model.dispose();
console.log(JSON.stringify({ text: result.text, nfe: result.nfe, blocks: result.blocks.length, steps }));
`;

// ---- checks --------------------------------------------------------------------------------------

interface PageReport {
  ok: boolean;
  error?: string;
  backend?: string;
  adablock?: { text: string; nfe: number; blocks: number; stopReason: string };
  steps?: number[];
  cancel?: { stopReason: string; nfe: number; genLength: number };
}

async function runPage(browser: Browser, url: string, hosts: ServedFolder[]): Promise<PageReport> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  try {
    await page.goto(url);
    const text = await page.locator("#out[data-report]").getAttribute("data-report", { timeout: PAGE_TIMEOUT_MS });
    const report = JSON.parse(text ?? "{}") as PageReport;
    if (!report.ok) report.error = `${report.error}\n  console: ${errors.join("\n  console: ")}\n  404s: ${hosts.flatMap((host) => host.responses.filter((line) => line.startsWith("404"))).join(", ")}`;
    return report;
  } finally {
    await page.close();
  }
}

/** AdaBlock answered with every step delivered in order; the cancelled run stopped early. */
function checkGeneration(where: string, report: PageReport, withCancel: boolean): void {
  check(report.ok, `${where}: the page failed: ${report.error}`);
  const { adablock, steps, cancel } = report;
  check(adablock && adablock.text.trim().length > 0 && adablock.nfe > 0 && adablock.blocks > 0, `${where}: AdaBlock produced no answer: ${JSON.stringify(adablock)}`);
  check(steps && steps.length === adablock.nfe && steps.every((nfe, i) => nfe === i + 1), `${where}: expected ${adablock.nfe} step events numbered 1..${adablock.nfe}, got ${JSON.stringify(steps)}`);
  if (withCancel) check(cancel && cancel.stopReason === "aborted" && cancel.nfe < cancel.genLength, `${where}: cancel() did not stop the run: ${JSON.stringify(cancel)}`);
}

function served(host: ServedFolder, pattern: RegExp): boolean {
  return host.responses.some((line) => line.startsWith("200") && pattern.test(line));
}

async function startDevServer(cwd: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(resolve(cwd, "node_modules/.bin/vite"), ["--host", "127.0.0.1", "--port", "5273"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const url = await new Promise<string>((found, failed) => {
    const timer = setTimeout(() => failed(new Error(`vite dev did not start:\n${output}`)), 60_000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Local:\s+(http:\/\/\S+)/.exec(stripVTControlCharacters(output));
      if (match) {
        clearTimeout(timer);
        found(match[1]!);
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.once("exit", (code) => failed(new Error(`vite dev exited with ${code}:\n${output}`)));
  });
  return { url, stop: () => child.kill() };
}

// ---- the run --------------------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), "dllm-consumer-"));
let browser: Browser | undefined;
const hosts: ServedFolder[] = [];
try {
  const tarball = await step("build the library and pack it", () => {
    execFileSync("npm", ["run", "build:lib"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
    const [packed] = JSON.parse(npm(ROOT, ["pack", "--ignore-scripts", "--json", "--pack-destination", work])) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
    check(packed, "npm pack reported no package");
    const paths = packed.files.map((file) => file.path);
    process.stdout.write(`consumer: ${packed.filename}: ${(packed.size / 1e6).toFixed(1)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(1)} MB unpacked, ${paths.length} files\n`);
    check(!paths.some((path) => path.endsWith(".onnx") || path.includes("models/")), `the tarball must not carry a model: ${paths.join(", ")}`);
    for (const needed of ["lib/index.js", "lib/index.d.ts", "lib/node.js", "lib/node.d.ts", "lib/engine.worker.js", "bin/dllm-web.js"]) check(paths.includes(needed), `the tarball lacks ${needed}`);
    check(paths.filter((path) => path.endsWith(".wasm")).length === 2, "the tarball should carry onnxruntime-web's two .wasm files");
    return join(work, packed.filename);
  });

  const app = join(work, "vite-app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer-vite-app", private: true, type: "module" }, null, 2));
  writeFileSync(join(app, "index.html"), INDEX_HTML);
  writeFileSync(join(app, "main.ts"), MAIN_TS);
  writeFileSync(join(app, "vite.config.js"), VITE_CONFIG);
  writeFileSync(join(app, "tsconfig.json"), TSCONFIG);
  writeFileSync(join(app, "static.html"), STATIC_HTML);
  await step("Vite app: npm install the tarball and vite", () => install(app, [tarball, `vite@${versionOf("vite")}`]));
  await step("Vite app: main.ts type-checks against the package's .d.ts (skipLibCheck off)", () => {
    execFileSync(resolve(ROOT, "node_modules/.bin/tsc"), ["-p", app], { stdio: "inherit" });
  });
  await step("Vite app: vite build", () => execFileSync(resolve(app, "node_modules/.bin/vite"), ["build"], { cwd: app, stdio: ["ignore", "ignore", "inherit"] }));

  const model = await serveFolder(MODEL, { shared: true });
  hosts.push(model);
  const modelQuery = `?model=${encodeURIComponent(model.url)}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

  await step("browser: the built app (isolated), model from another origin: load, AdaBlock with steps, cancel", async () => {
    const site = await serveFolder(join(app, "dist"), { isolated: true });
    hosts.push(site);
    const report = await runPage(browser!, site.url + modelQuery, [site, model]);
    checkGeneration("built app", report, true);
    check(served(site, /\.js$/) && served(site, /engine\.worker[^/]*\.js$/), `the worker did not come from the app's build: ${site.responses.join(", ")}`);
    check(served(site, /\.wasm$/), `onnxruntime's .wasm did not come from the app's build: ${site.responses.join(", ")}`);
    check(served(model, /\.onnx$/), `the graph was not fetched from the model's URL: ${model.responses.join(", ")}`);
  });

  await step("browser: the same page under vite dev (pre-bundled dependencies)", async () => {
    const dev = await startDevServer(app);
    try {
      checkGeneration("vite dev", await runPage(browser!, dev.url + modelQuery, [model]), true);
    } finally {
      dev.stop();
    }
  });

  await step("browser: no bundler, <script type=module> importing node_modules/dllm-web/lib/index.js", async () => {
    const site = await serveFolder(app, { isolated: true });
    hosts.push(site);
    checkGeneration("static host", await runPage(browser!, `${site.url}static.html${modelQuery}`, [site, model]), false);
    check(served(site, /dllm-web\/lib\/engine\.worker\.js$/) && served(site, /dllm-web\/lib\/assets\/[^/]*\.wasm$/), `worker or .wasm not served from the package: ${site.responses.join(", ")}`);
  });

  // The same build with a file taken away must fail, so the checks above can fail.
  const withoutFiles = async (name: string, missing: RegExp): Promise<void> => {
    const copy = join(app, name);
    cpSync(join(app, "dist"), copy, { recursive: true });
    const removed = readdirSync(join(copy, "assets")).filter((file) => missing.test(file));
    check(removed.length > 0, `the build has no file matching ${missing}`);
    for (const file of removed) rmSync(join(copy, "assets", file));
    const site = await serveFolder(copy, { isolated: true });
    hosts.push(site);
    const report = await runPage(browser!, site.url + modelQuery, [site]);
    check(!report.ok, `the page generated without ${removed.join(", ")}`);
    check(site.responses.some((line) => line.startsWith("404") && missing.test(line)), `the failed page never asked for ${missing}: ${site.responses.join(", ")}`);
  };
  await step("browser: the built app without its .wasm files fails to load", () => withoutFiles("dist-no-wasm", /\.wasm$/));
  await step("browser: the built app without its worker fails to load", () => withoutFiles("dist-no-worker", /engine\.worker[^/]*\.js$/));
  await browser.close();
  browser = undefined;

  const node = join(work, "node-app");
  mkdirSync(node);
  writeFileSync(join(node, "package.json"), JSON.stringify({ name: "consumer-node-app", private: true, type: "module" }, null, 2));
  writeFileSync(join(node, "generate.mjs"), NODE_SCRIPT);
  await step("Node: npm install the tarball and onnxruntime-node", () => install(node, [tarball, `onnxruntime-node@${versionOf("onnxruntime-node")}`]));

  await step("Node: npx dllm-web generate --model <folder> --json", () => {
    const out = execFileSync("npx", ["--no-install", "dllm-web", "generate", "--model", MODEL, "--prompt", PROMPT, "--decoder", "adablock", "--json"], { cwd: node, encoding: "utf8" });
    const result = JSON.parse(out) as { text: string; nfe: number; stopReason: string };
    check(result.text.trim().length > 0 && result.nfe > 0, `the CLI gave no answer: ${out}`);
  });

  await step("Node: npx dllm-web generate without --model names the missing model", () => {
    const run = spawnSync("npx", ["--no-install", "dllm-web", "generate", "--prompt", "x"], { cwd: node, encoding: "utf8" });
    check(run.status === 2 && run.stderr.includes("not part of the npm package"), `expected exit 2 naming the model, got ${run.status}: ${run.stderr}`);
  });

  await step("Node: a script importing dllm-web/node generates with steps", () => {
    const out = execFileSync("node", ["generate.mjs", MODEL], { cwd: node, encoding: "utf8" });
    const result = JSON.parse(out) as { text: string; nfe: number; blocks: number; steps: number[] };
    check(result.text.trim().length > 0 && result.blocks > 0, `the script gave no answer: ${out}`);
    check(result.steps.length === result.nfe && result.steps.every((nfe, i) => nfe === i + 1), `the script's steps were not 1..${result.nfe}: ${out}`);
  });

  process.stdout.write(`consumer: passed in ${((Date.now() - started) / 1000).toFixed(0)} s\n${timings.join("\n")}\n`);
} finally {
  await browser?.close();
  for (const host of hosts) await host.close();
  if (process.env.KEEP_CONSUMER) process.stdout.write(`consumer: kept ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}
