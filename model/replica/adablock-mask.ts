/**
 * What AdaBlock's adaptive blocks do to a block-causal model (BD3LM), whose attention mask then
 * follows blocks it never saw in training: the replica's fp16 graphs decode 24 chat word problems
 * of its training shapes with fixed blocks on the 32-grid (the trained mask) and with AdaBlock,
 * for BD3LM and, as the control whose attention ignores blocks, MDLM. Prints one JSON line per
 * setting (well-formed answers, exact answers, passes and blocks per problem) and how many
 * answers AdaBlock left unchanged. docs/models.md quotes it.
 *
 *   npx tsx model/replica/adablock-mask.ts
 */
import { join } from "node:path";
import { generateChatTurn } from "../../src/decoding/chat.ts";
import type { GenerateOptions } from "../../src/decoding/types.ts";
import { loadModel } from "../../src/node/model.ts";
import { createRandom } from "../../src/util/random.ts";

const random = createRandom(99);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random.next() * list.length)]!;
const NAMES = ["Tom", "Zoe", "Raj", "Eva", "Ben", "Mia", "Leo", "Ana"];
const ITEMS = ["apples", "marbles", "stickers", "cards", "books", "pens"];

/** The replica's two training shapes: "has x, buys y more" and "y boxes of x each". */
function problems(count: number): { question: string; answer: number }[] {
  return Array.from({ length: count }, (_, i) => {
    const [name, item] = [pick(NAMES), pick(ITEMS)];
    const [x, y] = [2 + Math.floor(random.next() * 20), 2 + Math.floor(random.next() * 9)];
    const each = (x % 9) + 2;
    return i % 2
      ? { question: `${name} has ${x} ${item}. He buys ${y} more. How many ${item} does ${name} have now?`, answer: x + y }
      : { question: `${name} buys ${y} boxes of ${item}. Each box holds ${each} ${item}. How many ${item} does ${name} buy?`, answer: y * each };
  });
}

const SETTINGS: Record<string, Partial<GenerateOptions>> = {
  grid: { decoder: "threshold", genLength: 64, blockSize: 32, threshold: 0.9 },
  adablock: { decoder: "adablock", genLength: 64, blockSize: 32, threshold: 0.9, delimiterThreshold: 0.3 },
};
const WELL_FORMED = /^(\d+ [-+*/] \d+ = \d+\n)+#### \d+$/;

const set = problems(24);
for (const kind of ["bd3lm", "mdlm"]) {
  const model = await loadModel(join(import.meta.dirname, "hub/dllm-replica", `Qwen3-replica-diffusion-${kind}-ONNX`), { dtype: "fp16" });
  const answers: Record<string, string[]> = {};
  for (const [name, options] of Object.entries(SETTINGS)) {
    let [formed, correct, passes, blocks] = [0, 0, 0, 0];
    answers[name] = [];
    for (const problem of set) {
      const turn = await generateChatTurn(model, [{ role: "user", content: problem.question }], options);
      const text = turn.text.trim();
      answers[name]!.push(text);
      if (WELL_FORMED.test(text)) formed++;
      if (text.endsWith(`#### ${problem.answer}`)) correct++;
      passes += turn.nfe;
      blocks += turn.blocks.length;
    }
    console.log(JSON.stringify({ kind, name, problems: set.length, formed, correct, passesPerProblem: passes / set.length, blocksPerProblem: blocks / set.length }));
  }
  const identical = answers.grid!.filter((text, i) => text === answers.adablock![i]).length;
  console.log(JSON.stringify({ kind, identicalAnswers: identical }));
  await model.model.dispose();
}
