// Serve forwards of one ONNX graph to Python (test_replica.py, reference_decode.py) over stdin/stdout,
// through onnxruntime-node, the runtime's own onnxruntime.
// usage: node ort_server.mjs <graph.onnx>; then one JSON request a line:
//   {"ids": [...], "block": 32 | null, "rows": [positions], "exclude": id, "out": path | null}
// block: build BD3LM's additive mask on that absolute grid (input `attention_mask`);
// rows: for each, answer [argmax id (never `exclude`), its softmax probability in float64];
// out: also write the whole float32 logits [T, vocab] to that file.
// One JSON reply a line: {"top": [[id, prob], ...], "vocab": V} or {"error": message}.
import { writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import * as ort from "onnxruntime-node";

const session = await ort.InferenceSession.create(process.argv[2], { logSeverityLevel: 3 });

function blockMask(t, block) {
  const mask = new Float32Array(t * t);
  for (let q = 0; q < t; q++)
    for (let k = 0; k < t; k++) mask[q * t + k] = Math.floor(k / block) <= Math.floor(q / block) ? 0 : -1e9;
  return new ort.Tensor("float32", mask, [1, 1, t, t]);
}

function top(logits, row, vocab, exclude) {
  const base = row * vocab;
  let best = -1;
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) {
    const x = logits[base + v];
    if (v !== exclude && x > max) [max, best] = [x, v];
  }
  let top = -Infinity; // softmax over the whole row, the excluded id included
  for (let v = 0; v < vocab; v++) top = Math.max(top, logits[base + v]);
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[base + v] - top);
  return [best, Math.exp(max - top) / sum];
}

for await (const line of createInterface({ input: process.stdin })) {
  try {
    const req = JSON.parse(line);
    const t = req.ids.length;
    const feeds = { input_ids: new ort.Tensor("int64", BigInt64Array.from(req.ids.map(BigInt)), [1, t]) };
    if (req.block) feeds.attention_mask = blockMask(t, req.block);
    const { logits } = await session.run(feeds);
    const vocab = logits.dims[2];
    if (req.out) writeFileSync(req.out, Buffer.from(logits.data.buffer, logits.data.byteOffset, logits.data.byteLength));
    const rows = (req.rows ?? []).map((r) => top(logits.data, r, vocab, req.exclude ?? -1));
    logits.dispose?.();
    process.stdout.write(`${JSON.stringify({ top: rows, vocab })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ error: String(error) })}\n`);
  }
}
