/**
 * Step results as the page's default decoder writes them (issue #22): for each `a op b = c` line
 * of the generated answers, whether c is right for the operands as written, and in what order the
 * decoder wrote it: its line's newline before its digits (its length settled first) or not, and
 * its digits in one pass (all sure at once) or over several. Rate lines are tallied apart, by what
 * they first got wrong. model/probe_results.py sets up the states a result can be written in by
 * hand, on the reference answers; this is what the engine does.
 *
 *   npx tsx model/probe-decoding.ts [model folder] [v2mid|v2easy|v2] [problems] [gen length] [--show]
 */
import { generate } from "../src/decoding/engine.ts";
import { cellOptions } from "../src/eval/settings.ts";
import { loadModel } from "../src/node/model.ts";
import { V2_EVAL_SEED, applyWordStep, formatStep, heldOutWordProblems, parseWorkedLine, spacedTarget, type WordProblemSet } from "../src/problems/word-problems.ts";

export interface WrittenResult {
  line: string;
  right: boolean;
  newlineFirst: boolean;
  onePass: boolean;
  /** Each token of the line (and the next few), with the pass that wrote it. */
  order: string;
}

/** Each line of an answer given as its tokens' texts: [its first token, its newline (or the answer's end)]. */
function lineSpans(pieces: readonly string[]): [number, number][] {
  const spans: [number, number][] = [];
  let start = 0;
  for (let end = 0; end <= pieces.length; end++) {
    if (end < pieces.length && pieces[end] !== "\n") continue;
    spans.push([start, end]);
    start = end + 1;
  }
  return spans;
}

/**
 * The step lines of an answer given as its tokens' texts (`pieces`, the answer's first token at 0)
 * and the pass that wrote each (`passOf`). Rate lines (`x + k * m = x + p = r`) are left out.
 */
export function writtenResults(pieces: readonly string[], passOf: (k: number) => number): WrittenResult[] {
  const out: WrittenResult[] = [];
  for (const [start, end] of lineSpans(pieces)) {
    const line = pieces.slice(start, end).join("");
    const steps = parseWorkedLine(line);
    // One operation (a rate's line writes two), written in the v1 layout's spacing (`28 + 6 = 34`).
    const step = steps?.length === 1 && line.trim() === spacedTarget(formatStep(steps[0]!)) ? steps[0] : undefined;
    if (step) {
      const digits: number[] = [];
      for (let k = end - 1; k >= start && /^\d$/.test(pieces[k]!.trim()); k--) digits.unshift(k);
      const passes = digits.map(passOf);
      const order = pieces.slice(start, Math.min(pieces.length, end + 6)).map((p, k) => `${JSON.stringify(p)}@${passOf(start + k)}`);
      out.push({
        line: line.trim(),
        right: step.result === applyWordStep(step.left, step.op, step.right),
        newlineFirst: end < pieces.length && passOf(end) < Math.min(...passes),
        onePass: Math.min(...passes) === Math.max(...passes),
        order: order.join(" "),
      });
    }
  }
  return out;
}

/**
 * What a rate line (`x + k * m = x + p = r`) of a generated answer got wrong first, and the
 * product's digit count: "restated" (x or its sign written again wrong), "product" (p is not
 * k * m), "result" (r is not x op p, p right), "right"; "layout" for a line with a `*` and two
 * `=` that is not of that shape. The decoder writes the product far from `k * m` here, unlike
 * in a `k * m = p` line, so the two are counted apart.
 */
export function rateLineFault(line: string): string | undefined {
  const trimmed = line.trim();
  if (!trimmed.includes("*") || trimmed.split("=").length !== 3) return undefined;
  const rate = /^(\d+) ([-+]) (\d+) \* (\d+) = (\d+) ([-+]) (\d+) = (\d+)$/.exec(trimmed);
  if (!rate) return "layout";
  const [x, sign, k, m, restated, restatedSign, p, r] = rate.slice(1).map((part) => part!);
  const product = Number(k) * Number(m);
  const digits = `${String(product).length}-digit product`;
  if (x !== restated || sign !== restatedSign) return `restated, ${digits}`;
  if (Number(p) !== product) return `product, ${digits}`;
  if (Number(r) !== applyWordStep(Number(x), sign as "+" | "-", product)) return `result, ${digits}`;
  return `right, ${digits}`;
}

export interface WrittenRateLine {
  line: string;
  /** rateLineFault's verdict. */
  fault: string;
  /** Whether the token after the product (its end, so its length) was written before its digits; undefined for "layout". */
  productEndFirst: boolean | undefined;
}

/**
 * The rate lines of an answer given as its tokens' texts and the pass that wrote each, with what
 * each got wrong first and whether the product's end came before its digits: the weights write a
 * product in place well once its length is settled, and poorly before (model/probe_rates.py).
 */
export function writtenRateLines(pieces: readonly string[], passOf: (k: number) => number): WrittenRateLine[] {
  const out: WrittenRateLine[] = [];
  for (const [start, end] of lineSpans(pieces)) {
    const line = pieces.slice(start, end).join("");
    const fault = rateLineFault(line);
    if (fault === "layout") out.push({ line: line.trim(), fault, productEndFirst: undefined });
    else if (fault) {
      // The digit runs after the first `=`: the running value again, the product, the result.
      const runs: number[][] = [];
      let afterEquals = false;
      for (let k = start; k < end; k++) {
        const piece = pieces[k]!.trim();
        if (piece === "=") afterEquals = true;
        else if (afterEquals && /^\d$/.test(piece)) {
          if (runs.length && runs.at(-1)!.at(-1) === k - 1) runs.at(-1)!.push(k);
          else runs.push([k]);
        }
      }
      const product = runs[1]!;
      out.push({ line: line.trim(), fault, productEndFirst: passOf(product.at(-1)! + 1) < Math.min(...product.map(passOf)) });
    }
  }
  return out;
}

/** [lines, right] per kind: "newline first" or "newline later", by "one pass" or "over passes". */
export function tallyByOrder(results: readonly WrittenResult[]): Map<string, [number, number]> {
  const tally = new Map<string, [number, number]>();
  for (const r of results) {
    for (const key of ["all", `${r.newlineFirst ? "newline first" : "newline later"}, ${r.onePass ? "digits in one pass" : "digits over passes"}`]) {
      const counts = tally.get(key) ?? [0, 0];
      counts[0]++;
      counts[1] += r.right ? 1 : 0;
      tally.set(key, counts);
    }
  }
  return tally;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== "--show");
  const [modelDir = "public/models/dllm-tiny", set = "v2mid", count = "200", length = "64"] = args;
  const genLength = Number(length);
  if (!Number.isInteger(genLength) || genLength < 1) throw new Error(`gen length must be a positive integer, not ${length}`);
  const loaded = await loadModel(modelDir, { dtype: "q8" });
  const plan = { settings: ["adablock" as const], blockSizes: [16], genLength, delimiterThreshold: 0.3, fixedSteps: genLength };
  const options = cellOptions({ setting: "adablock", blockSize: 16 }, plan);
  const results: WrittenResult[] = [];
  const rateLines: WrittenRateLine[] = [];
  try {
    for (const problem of heldOutWordProblems(set as WordProblemSet, V2_EVAL_SEED, Number(count))) {
      const passOf = new Map<number, number>();
      const from = loaded.codec.encode(problem.prompt).length;
      const answer = await generate(loaded, problem.prompt, options, {
        onStep: (event) => {
          for (const p of event.committed.positions) passOf.set(p - from, event.step);
        },
      });
      const texts = answer.tokens.map((id) => loaded.codec.tokenText(id));
      results.push(...writtenResults(texts, (k) => passOf.get(k) ?? -1));
      rateLines.push(...writtenRateLines(texts, (k) => passOf.get(k) ?? -1));
    }
  } finally {
    await loaded.model.dispose();
  }
  if (process.argv.includes("--show")) for (const r of results.filter((r) => !r.right)) console.log(`${r.line}: ${r.order}`);
  console.log(`| step lines (${set}, ${count} problems, L = ${genLength}, +AdaBlock B0 16, int8) | lines | right |\n|---|---:|---:|`);
  for (const [key, [n, right]] of [...tallyByOrder(results)].sort()) console.log(`| ${key} | ${n} | ${((100 * right) / n).toFixed(1)} % |`);
  const rateFaults = new Map<string, number>();
  for (const r of rateLines) rateFaults.set(r.fault, (rateFaults.get(r.fault) ?? 0) + 1);
  if (process.argv.includes("--show")) for (const r of rateLines.filter((r) => !r.fault.startsWith("right"))) console.log(`rate line, ${r.fault}: ${r.line}`);
  console.log(`\n| rate lines (x + k * m = x + p = r), first wrong | lines | share |\n|---|---:|---:|`);
  for (const [key, n] of [...rateFaults].sort()) console.log(`| ${key} | ${n} | ${((100 * n) / rateLines.length).toFixed(1)} % |`);
  console.log(`\n| rate lines, restated right, by when the product's end was written | lines | product right |\n|---|---:|---:|`);
  for (const endFirst of [true, false]) {
    const lines = rateLines.filter((r) => r.productEndFirst === endFirst && !r.fault.startsWith("restated"));
    const right = lines.filter((r) => !r.fault.startsWith("product")).length;
    console.log(`| its end before its digits: ${endFirst ? "yes" : "no"} | ${lines.length} | ${lines.length ? ((100 * right) / lines.length).toFixed(1) : "-"} % |`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
