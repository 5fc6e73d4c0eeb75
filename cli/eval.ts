/**
 * `npm run eval`: the AdaBlock table on the held-out problems. Prints the paper-layout tables
 * (or one JSON object with --json) on stdout, a progress bar with an ETA on stderr, and with
 * --out DIR also writes eval.json, eval.md and accuracy-vs-nfe.svg there. Ctrl-C stops after
 * the current generation and prints what was measured so far. Beside the accuracy, each cell's
 * answers are counted by where they first go wrong (src/eval/faults.ts). With --baseline DIR the
 * same problems run on a second model and each cell is compared with it, paired
 * (src/eval/baseline.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ModelContractError, ModelLoadError, OptionError } from "../src/errors.ts";
import { baselineCellOf, baselineMarkdown, categoriesVersusBaseline, categoriesVersusMarkdown, compareWithBaseline, type CategoryVersusBaseline } from "../src/eval/baseline.ts";
import { categoryMarkdown, categoryRows, type CategoryRow } from "../src/eval/categories.ts";
import { faultCounts, faultMarkdown } from "../src/eval/faults.ts";
import { accuracyVsNfeSvg } from "../src/eval/plot.ts";
import { progressLine } from "../src/eval/progress.ts";
import type { CellResult } from "../src/eval/run.ts";
import { markdownTables } from "../src/eval/table.ts";
import { loadModel } from "../src/node/model.ts";
import { EVAL_USAGE, parseEvalArgs } from "./eval-args.ts";
import { evaluateInNode } from "./eval-node.ts";

function progressReporter(label: string): (done: number, total: number, elapsedMs: number) => void {
  const interactive = process.stderr.isTTY === true;
  let lastPrint = 0;
  return (done, total, elapsedMs) => {
    const now = Date.now();
    // Redraw in place on a terminal; in a log, one line every 10 s (and the last one).
    if (done < total && now - lastPrint < (interactive ? 200 : 10_000)) return;
    lastPrint = now;
    const line = `${label} ${progressLine(done, total, elapsedMs)}`;
    process.stderr.write(interactive ? `\r${line}\x1b[K` : `${line}\n`);
  };
}

async function main(): Promise<number> {
  if (process.argv.includes("--help")) {
    process.stdout.write(`${EVAL_USAGE}\n`);
    return 0;
  }
  const args = parseEvalArgs(process.argv.slice(2));
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  // A baseline that cannot load fails now, not after the model's run.
  if (args.baseline !== undefined) await (await loadModel(args.baseline, args.dtype ? { dtype: args.dtype } : {})).model.dispose();
  const run = async (model: string | undefined, label: string): ReturnType<typeof evaluateInNode> => {
    const report = progressReporter(label);
    const result = await evaluateInNode({ ...args, model }, { signal: controller.signal, onProgress: (p) => report(p.done, p.total, p.elapsedMs) });
    if (process.stderr.isTTY) process.stderr.write("\n");
    return result;
  };
  let outcome = await run(args.model, "eval");
  let baselineCells: CellResult[] | undefined;
  if (args.baseline !== undefined && !outcome.partial) {
    const baseline = await run(args.baseline, "baseline");
    baselineCells = baseline.cells;
    outcome = { ...outcome, partial: baseline.partial };
  }
  const { cells } = outcome;
  const versus = baselineCells ? compareWithBaseline(cells, baselineCells) : undefined;
  // v2: every cell's accuracy per category, beside the paper's tables (and the baseline's).
  const byCategory: Record<string, Record<string, CategoryRow[]>> = {};
  const versusByCategory: Record<string, Record<string, CategoryVersusBaseline[]>> = {};
  const categoryTables: string[] = [];
  if (outcome.categories) {
    for (const cell of cells) {
      const rows = categoryRows(outcome.categories, cell.correct);
      byCategory[cell.setting] = { ...byCategory[cell.setting], [String(cell.blockSize)]: rows };
      const title = `### ${cell.setting}, B0 = ${cell.blockSize}, L = ${args.plan.genLength}`;
      const baseline = baselineCells && baselineCellOf(cell, baselineCells);
      if (baseline) {
        const paired = categoriesVersusBaseline(outcome.categories, cell.correct, baseline.correct);
        versusByCategory[cell.setting] = { ...versusByCategory[cell.setting], [String(cell.blockSize)]: paired };
        categoryTables.push(categoriesVersusMarkdown(paired, `${title}, against the baseline`));
      } else {
        categoryTables.push(categoryMarkdown(rows, title));
      }
    }
  }
  const baselineJson = versus ? { baseline: { model: args.baseline, comparisons: versus, ...(outcome.categories ? { categories: versusByCategory } : {}) } } : {};
  const json = { ...outcome.json, ...(outcome.categories ? { set: args.set, categories: byCategory } : {}), faults: faultCounts(cells), ...baselineJson };
  const summary = `${args.count} problems (${args.set === "v1" ? "" : `set ${args.set}, `}seed ${args.seed}), L = ${args.plan.genLength}, tau_D = ${args.plan.delimiterThreshold}, fixed steps = ${args.plan.fixedSteps}, ${(json.ms / 1000).toFixed(0)} s${outcome.partial ? ", STOPPED EARLY (partial)" : ""}`;
  const faults = `\n## Where the answers first go wrong (problems)\n\n${faultMarkdown(cells)}`;
  const against = versus ? `\n## Against the baseline ${args.baseline} (same problems, paired)\n\n${baselineMarkdown(versus)}\n` : "";
  const markdown = `${summary}\n\n${markdownTables(cells)}\n${faults}${against}${categoryTables.length > 0 ? `\n## By category\n\n${categoryTables.join("\n")}` : ""}`;
  if (args.out !== undefined) {
    mkdirSync(args.out, { recursive: true });
    writeFileSync(join(args.out, "eval.json"), JSON.stringify({ ...json, partial: outcome.partial }, null, 2) + "\n");
    writeFileSync(join(args.out, "eval.md"), markdown);
    writeFileSync(join(args.out, "accuracy-vs-nfe.svg"), accuracyVsNfeSvg(cells) + "\n");
  }
  process.stdout.write(args.json ? JSON.stringify({ ...json, partial: outcome.partial }) + "\n" : markdown);
  return outcome.partial ? 130 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const badInput = error instanceof OptionError || error instanceof ModelLoadError || error instanceof ModelContractError;
    process.stderr.write(`eval: ${message.split("\n")[0]}${badInput ? " (--help for usage)" : ""}\n`);
    process.exit(badInput ? 2 : 1);
  },
);
