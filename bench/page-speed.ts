/**
 * `npm run bench:page -- [--dist NAME=PATH ...] [--count N] [--repeats R] [--warmup-passes P] [--json]`:
 * +AdaBlock's tokens/s in the page itself, for one or more built page folders (default: dist/
 * as `now`, after `npm run build`). Each folder is served cross-origin isolated (COOP/COEP, like
 * the real host) on its own port and opened in headless Chromium, which loads the embedded
 * dllm-tiny with the page's own backend choice (auto). Through the UI, with every page on the
 * same settings (AdaBlock, L 64, B0 16, tau 0.9, tau_D 0.3 on "\n", greedy, no cache: the
 * defaults of both page versions, set explicitly), each page decodes the first N held-out
 * problems (EVAL_SEED) R times.
 *
 * Pages are warmed up first (generations in turn until each has run `--warmup-passes` forward
 * passes: V8 compiles onnxruntime's 14 MB WASM module in the background for the first ~25), then
 * alternated generation by generation, the page that goes first rotating, so load from other
 * work on the machine falls on all of them alike. Per generation: the engine's time (the run's
 * `ms`, read from the page's trace export), the wall time from the Generate click to the view's
 * end in the page, passes and committed tokens (the page's own tokens/s is committed / ms).
 * Reported per page: medians and exact matches; over the first page: ratios; between pages:
 * how many answers are the same text.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { integerFlag } from "../cli/args.ts";
import { scriptArgs } from "../cli/script-args.ts";
import { type Browser, chromium, type Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, VIEWPORT } from "../e2e/environment.ts";
import { LOAD_TIMEOUT, RUN_TIMEOUT, readRun, setOptions, setPrompt, waitForModel } from "../e2e/driver.ts";
import { OptionError } from "../src/errors.ts";
import { type ServedFolder, serveFolder } from "../src/node/serve-folder.ts";
import { EVAL_SEED, generateProblems, type Problem } from "../src/problems/generate.ts";
import { isCorrect } from "../src/problems/score.ts";
import { median } from "./lib/forward-latency.ts";
import { machineInfo, type MachineInfo } from "./lib/machine.ts";

const ROOT = resolve(import.meta.dirname, "..");

/** Both page versions' defaults, set through the form so neither page's defaults decide. */
const SETTINGS = { decoder: "adablock", genLength: 64, blockSize: 16, threshold: 0.9, delimiterThreshold: 0.3, innerRule: "threshold", temperature: 0, cache: "none" } as const;

/**
 * What differs between the page versions this script drives, keyed by an element only that
 * version has. The rest it touches is the same in both (26ac52f's e2e/driver.ts and today's):
 * #prompt, #controls [name=...], #generate, #live's data-run / data-status and
 * [data-stat=...], #export-trace, #backend[data-backend], #isolation. Both load the embedded
 * model on opening, backend auto; the form's folded fields (today's) are opened by setOptions.
 */
const LAYOUTS = [
  { name: "model picker (issue #19 and later)", detect: "#model-choice", modelField: "#model-choice", embedded: /^dllm-tiny\|/ },
  { name: "folder URL field (26ac52f)", detect: "#model-url", modelField: "#model-url", embedded: /^\.\/models\/dllm-tiny\/$/ },
] as const;
type Layout = (typeof LAYOUTS)[number];

interface PageUnderTest {
  name: string;
  dist: string;
  served: ServedFolder;
  page: Page;
  layout: Layout;
}

export interface Generation {
  page: string;
  problem: number;
  repeat: number;
  /** The engine's time for the run (GenerateResult.ms, from the trace export). */
  ms: number;
  /** Generate click to the live view's end, in the page. */
  wallMs: number;
  nfe: number;
  /** Canvas positions committed: what the page's tokens/s counts. */
  committed: number;
  /** committed / ms, the page's own figure, unrounded. */
  tokensPerSecond: number;
  /** What the page's stats show (one decimal). */
  shownTokensPerSecond: number;
  stopReason: string;
  text: string;
  correct: boolean;
}

export interface PageSummary {
  name: string;
  dist: string;
  layout: string;
  /** The header's backend line, e.g. "WASM × 1". */
  backend: string;
  isolation: string;
  /** The graph and WASM binary the page fetched from its host. */
  graphs: string[];
  wasm: string[];
  warmup: { generations: number; passes: number };
  generations: number;
  medianTokensPerSecond: number;
  /** The same per repeat, in order: drift over the run shows here. */
  medianTokensPerSecondByRepeat: number[];
  medianMs: number;
  medianWallMs: number;
  medianPasses: number;
  medianCommitted: number;
  /** Summed committed tokens over summed engine seconds. */
  pooledTokensPerSecond: number;
  correct: number;
}

export interface PageSpeedJson {
  date: string;
  machine: MachineInfo & { loadAverageEnd: number };
  chromium: string;
  settings: typeof SETTINGS;
  problems: { seed: number; count: number };
  repeats: number;
  warmupPasses: number;
  pages: PageSummary[];
  /** Each later page over the first (`--dist` order): > 1 means faster. */
  ratios: {
    page: string;
    over: string;
    /** Of the medians. */
    tokensPerSecond: number;
    /** The median over problems and repeats of this page's tokens/s over the first page's on the same run slot. */
    pairedTokensPerSecond: number;
    msPerGeneration: number;
    wallMsPerGeneration: number;
    passesPerGeneration: number;
  }[];
  /** Problems whose answer text is the same on the first page and this one (first repeat). */
  agreement: { page: string; with: string; same: number; of: number; differing: number[] }[];
  runs: Generation[];
  ms: number;
}

const log = (line: string): void => void process.stderr.write(`bench:page: ${line}\n`);

const USAGE = `usage: npm run bench:page -- [--dist NAME=PATH ...] [--count N] [--repeats R] [--warmup-passes P] [--json]
  +AdaBlock's tokens/s in the built page (default: dist/ as "now"; run npm run build first), one Chromium page per
  folder, alternated generation by generation; N held-out problems (default 20), R times each (default 1)`;

function options(): { dists: [string, string][]; count: number; repeats: number; warmupPasses: number; json: boolean } {
  const flags = {
    dist: { type: "string", multiple: true },
    count: { type: "string", default: "20" },
    repeats: { type: "string", default: "1" },
    "warmup-passes": { type: "string", default: "60" },
    json: { type: "boolean" },
  } as const;
  return scriptArgs({ name: "bench:page", usage: USAGE }, flags, (values) => {
    const dists = (values.dist ?? [`now=${resolve(ROOT, "dist")}`]).map((entry): [string, string] => {
      const at = entry.indexOf("=");
      if (at <= 0) throw new OptionError("--dist", `must be NAME=PATH, got ${JSON.stringify(entry)}`);
      return [entry.slice(0, at), resolve(entry.slice(at + 1))];
    });
    if (new Set(dists.map(([name]) => name)).size !== dists.length) throw new OptionError("--dist", "names must differ");
    return {
      dists,
      count: integerFlag("--count", values.count),
      repeats: integerFlag("--repeats", values.repeats),
      warmupPasses: integerFlag("--warmup-passes", values["warmup-passes"], 0),
      json: values.json === true,
    };
  });
}

async function openPage(browser: Browser, name: string, dist: string): Promise<PageUnderTest> {
  const served = await serveFolder(dist, { isolated: true });
  const page = await browser.newPage({ viewport: VIEWPORT });
  page.on("pageerror", (error) => log(`${name}: uncaught ${error.message}`));
  await page.goto(served.url);
  const layout = await detectLayout(page);
  await waitForModel(page, "wasm").catch(async (error: unknown) => {
    throw new Error(`${name}: the model did not load on WASM within ${LOAD_TIMEOUT / 1000} s (backend: ${await page.textContent("#backend")}; ${String(error)})`);
  });
  const model = await page.inputValue(layout.modelField);
  if (!layout.embedded.test(model)) throw new Error(`${name}: the page loaded ${JSON.stringify(model)}, not the embedded dllm-tiny`);
  await setOptions(page, SETTINGS);
  return { name, dist, served, page, layout };
}

async function detectLayout(page: Page): Promise<Layout> {
  await page.waitForSelector("#controls", { state: "attached" });
  for (const layout of LAYOUTS) if ((await page.$(layout.detect)) !== null) return layout;
  throw new Error(`a page layout this script does not know (none of ${LAYOUTS.map((l) => l.detect).join(", ")})`);
}

/** Clicks Generate and resolves, in the page, when the live view shows the new run's end. */
async function timedRun(page: Page): Promise<number> {
  await page.waitForSelector("#generate:not([disabled])", { timeout: RUN_TIMEOUT });
  const wallMs = await page.evaluate(
    (timeout) =>
      new Promise<number>((done, fail) => {
        const live = document.querySelector<HTMLElement>("#live")!;
        const error = document.querySelector<HTMLElement>("#run-error")!;
        const before = live.dataset.run ?? "0";
        const started = performance.now();
        const timer = setTimeout(() => fail(new Error(`no end within ${timeout / 1000} s`)), timeout);
        const observer = new MutationObserver(() => {
          const ended = (live.dataset.run ?? "0") !== before && ["done", "stopped", "error"].includes(live.dataset.status ?? "");
          if (!ended && !error.textContent) return;
          observer.disconnect();
          clearTimeout(timer);
          if (error.textContent) fail(new Error(error.textContent));
          else done(performance.now() - started);
        });
        observer.observe(live, { attributes: true, attributeFilter: ["data-run", "data-status"] });
        observer.observe(error, { childList: true, characterData: true, subtree: true });
        document.querySelector<HTMLButtonElement>("#generate")!.click();
      }),
    RUN_TIMEOUT,
  );
  // The page re-enables its buttons once it has recorded the run for the trace export.
  await page.waitForSelector("#generate:not([disabled])", { timeout: RUN_TIMEOUT });
  return wallMs;
}

/** The run's result line from the page's trace export: the engine's exact ms. */
async function exportedResult(page: Page): Promise<{ ms: number; nfe: number; text: string }> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-trace")]);
  const path = await download.path();
  const lines = readFileSync(path, "utf8").trim().split("\n");
  await download.delete();
  return JSON.parse(lines.at(-1)!) as { ms: number; nfe: number; text: string };
}

async function generateOnce(target: PageUnderTest, problem: Problem, index: number, repeat: number): Promise<Generation> {
  const { page } = target;
  await setPrompt(page, problem.prompt);
  const wallMs = await timedRun(page);
  const run = await readRun(page);
  if (run.status !== "done") throw new Error(`${target.name}: problem ${index} ended ${run.status}: ${run.text}`);
  const result = await exportedResult(page);
  const stat = (label: string): Promise<string> => page.$eval(`#live [data-stat="${label}"]`, (node) => node.textContent ?? "");
  const committed = Number((await stat("tokens")).split("/")[0]);
  return {
    page: target.name,
    problem: index,
    repeat,
    ms: result.ms,
    wallMs,
    nfe: result.nfe,
    committed,
    tokensPerSecond: committed / (result.ms / 1000),
    shownTokensPerSecond: Number(await stat("tokens/s")),
    stopReason: run.stopReason,
    text: result.text,
    correct: isCorrect(result.text, problem.answer),
  };
}

interface PageHeader {
  backend: string;
  isolation: string;
  graphs: string[];
  wasm: string[];
}

/**
 * The live view's backend label ("WASM × threads") and, from the engine worker's resource
 * timing, the graph and WASM binary it fetched. Not the host's request log: today's service
 * worker precaches every built asset, both WASM binaries included.
 */
async function pageHeader(page: Page): Promise<PageHeader> {
  const urls = (await Promise.all(page.workers().map((worker) => worker.evaluate(() => performance.getEntriesByType("resource").map((entry) => entry.name))))).flat();
  const fetched = (suffix: string): string[] => [...new Set(urls.map((url) => new URL(url).pathname).filter((path) => path.endsWith(suffix)))];
  return {
    backend: await page.$eval('#live [data-stat="backend"]', (node) => node.textContent ?? ""),
    isolation: (await page.textContent("#isolation")) ?? "",
    graphs: fetched(".onnx"),
    wasm: fetched(".wasm"),
  };
}

/** Generations in turn, page by page, until every page has run `passes` forward passes. */
async function warmUp(pages: PageUnderTest[], problems: Problem[], passes: number): Promise<Map<string, { generations: number; passes: number }>> {
  const done = new Map(pages.map((p) => [p.name, { generations: 0, passes: 0 }]));
  for (let k = 0; pages.some((p) => done.get(p.name)!.passes < passes); k++) {
    for (const target of pages) {
      const counts = done.get(target.name)!;
      if (counts.passes >= passes) continue;
      const run = await generateOnce(target, problems[k % problems.length]!, k % problems.length, -1);
      counts.generations++;
      counts.passes += run.nfe;
    }
  }
  return done;
}

function summarize(target: PageUnderTest, runs: Generation[], repeats: number, warmup: { generations: number; passes: number }, header: PageHeader): PageSummary {
  const own = runs.filter((r) => r.page === target.name);
  return {
    name: target.name,
    dist: target.dist,
    layout: target.layout.name,
    ...header,
    warmup,
    generations: own.length,
    medianTokensPerSecond: median(own.map((r) => r.tokensPerSecond)),
    medianTokensPerSecondByRepeat: Array.from({ length: repeats }, (_, k) => median(own.filter((r) => r.repeat === k).map((r) => r.tokensPerSecond))),
    medianMs: median(own.map((r) => r.ms)),
    medianWallMs: median(own.map((r) => r.wallMs)),
    medianPasses: median(own.map((r) => r.nfe)),
    medianCommitted: median(own.map((r) => r.committed)),
    pooledTokensPerSecond: own.reduce((sum, r) => sum + r.committed, 0) / (own.reduce((sum, r) => sum + r.ms, 0) / 1000),
    correct: own.filter((r) => r.correct).length,
  };
}

/** Median over run slots (problem, repeat) of `page`'s tokens/s over `over`'s in the same slot: the pair ran back to back. */
function pairedRatio(runs: Generation[], page: string, over: string): number {
  const slot = (r: Generation): string => `${r.problem}/${r.repeat}`;
  const reference = new Map(runs.filter((r) => r.page === over).map((r) => [slot(r), r.tokensPerSecond]));
  return median(runs.filter((r) => r.page === page && reference.has(slot(r))).map((r) => r.tokensPerSecond / reference.get(slot(r))!));
}

function markdown(report: PageSpeedJson): string {
  const fixed = (value: number, digits: number): string => value.toFixed(digits);
  const lines = [
    `# +AdaBlock in the page: ${report.problems.count} held-out problems (seed ${report.problems.seed}) x ${report.repeats}, interleaved`,
    "",
    `Settings: ${JSON.stringify(report.settings)}. Warm-up: >= ${report.warmupPasses} passes per page. Chromium ${report.chromium}; ${report.machine.cpu}, ${report.machine.cores} cores, load ${report.machine.loadAverage} -> ${report.machine.loadAverageEnd}.`,
    "",
    "| page | backend | graph | WASM binary | tokens/s (median) | per repeat | pooled tokens/s | ms / generation | wall ms | passes | committed | exact match |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...report.pages.map(
      (p) =>
        `| ${p.name} | ${p.backend} | ${p.graphs.join(", ")} | ${p.wasm.join(", ")} | ${fixed(p.medianTokensPerSecond, 1)} | ${p.medianTokensPerSecondByRepeat.map((v) => fixed(v, 1)).join(", ")} | ${fixed(p.pooledTokensPerSecond, 1)} | ${fixed(p.medianMs, 1)} | ${fixed(p.medianWallMs, 1)} | ${p.medianPasses} | ${p.medianCommitted} | ${p.correct}/${p.generations} |`,
    ),
    "",
    ...report.ratios.map(
      (r) =>
        `${r.page} / ${r.over}: tokens/s x${fixed(r.tokensPerSecond, 2)} (median of paired runs x${fixed(r.pairedTokensPerSecond, 2)}), ms per generation x${fixed(r.msPerGeneration, 2)} (wall x${fixed(r.wallMsPerGeneration, 2)}), passes per generation x${fixed(r.passesPerGeneration, 2)}.`,
    ),
    ...report.agreement.map((a) => `Same answer text, ${a.page} and ${a.with}: ${a.same}/${a.of}${a.differing.length > 0 ? ` (differ: problems ${a.differing.join(", ")})` : ""}.`),
  ];
  return lines.join("\n");
}

async function main(): Promise<void> {
  const args = options();
  const began = Date.now();
  const machine = machineInfo();
  const problems = generateProblems(EVAL_SEED, args.count);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const pages: PageUnderTest[] = [];
  try {
    for (const [name, dist] of args.dists) {
      log(`${name}: opening ${dist}`);
      pages.push(await openPage(browser, name, dist));
    }
    log(`warming up: ${args.warmupPasses} passes per page`);
    const warmup = await warmUp(pages, problems, args.warmupPasses);
    const runs: Generation[] = [];
    for (let repeat = 0; repeat < args.repeats; repeat++) {
      for (const [index, problem] of problems.entries()) {
        // The page that goes first rotates, so neither always runs right after the other.
        const shift = (index + repeat) % pages.length;
        for (const target of [...pages.slice(shift), ...pages.slice(0, shift)]) runs.push(await generateOnce(target, problem, index, repeat));
        log(`problem ${index + 1}/${problems.length}, repeat ${repeat + 1}/${args.repeats}: ${runs.slice(-pages.length).map((r) => `${r.page} ${r.tokensPerSecond.toFixed(1)} tok/s, ${r.nfe} passes`).join("; ")}`);
      }
    }
    const headers = new Map<string, PageHeader>();
    for (const p of pages) headers.set(p.name, await pageHeader(p.page));
    const summaries = pages.map((p) => summarize(p, runs, args.repeats, warmup.get(p.name)!, headers.get(p.name)!));
    const [first, ...later] = summaries;
    const firstRepeat = (name: string): Generation[] => runs.filter((r) => r.page === name && r.repeat === 0).sort((a, b) => a.problem - b.problem);
    const report: PageSpeedJson = {
      date: new Date(began).toISOString(),
      machine: { ...machine, loadAverageEnd: machineInfo().loadAverage },
      chromium: browser.version(),
      settings: SETTINGS,
      problems: { seed: EVAL_SEED, count: args.count },
      repeats: args.repeats,
      warmupPasses: args.warmupPasses,
      pages: summaries,
      ratios: later.map((p) => ({
        page: p.name,
        over: first!.name,
        tokensPerSecond: p.medianTokensPerSecond / first!.medianTokensPerSecond,
        pairedTokensPerSecond: pairedRatio(runs, p.name, first!.name),
        msPerGeneration: p.medianMs / first!.medianMs,
        wallMsPerGeneration: p.medianWallMs / first!.medianWallMs,
        passesPerGeneration: p.medianPasses / first!.medianPasses,
      })),
      agreement: later.map((p) => {
        const reference = firstRepeat(first!.name);
        const differing = firstRepeat(p.name)
          .filter((run, k) => run.text !== reference[k]!.text)
          .map((run) => run.problem);
        return { page: p.name, with: first!.name, same: reference.length - differing.length, of: reference.length, differing };
      }),
      runs,
      ms: Date.now() - began,
    };
    process.stdout.write(args.json ? `${JSON.stringify(report)}\n` : `${markdown(report)}\n`);
  } finally {
    await browser.close();
    await Promise.all(pages.map((p) => p.served.close()));
  }
}

await main();
