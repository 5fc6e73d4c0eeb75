/**
 * The Python checks of the exports, run where Debian's torch is installed (CI installs none, so
 * there they skip): model/test_export.py (our graphs' row_range / top-2 outputs and the int8
 * twins) and model/replica/test_replica.py (the replica's graphs against its PyTorch weights,
 * which model/replica/build.sh writes to model/replica/work/, not committed).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const MODEL = dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.PYTHON ?? "/usr/bin/python3";
const hasTorch = spawnSync(PYTHON, ["-c", "import torch, numpy, onnx"], { stdio: "ignore" }).status === 0;

function runUnittest(dir: string, module: string, timeoutMs: number): void {
  const result = spawnSync(PYTHON, ["-m", "unittest", "-v", module], { cwd: dir, encoding: "utf8", timeout: timeoutMs });
  expect(result.status, result.stderr).toBe(0);
  const defined = readFileSync(join(dir, `${module}.py`), "utf8").match(/^ +def test_/gm)?.length ?? 0;
  expect(defined).toBeGreaterThan(0);
  expect(result.stderr).toMatch(new RegExp(`Ran ${defined} tests`));
}

describe("the exports' Python checks", () => {
  it.skipIf(!hasTorch)("export.py: row_range slices, top-2 outputs and int8 graphs agree with PyTorch", () => {
    runUnittest(MODEL, "test_export", 300_000);
  }, 320_000);

  const replica = join(MODEL, "replica");
  const built = existsSync(join(replica, "work", "mdlm.pt")) && existsSync(join(replica, "work", "bd3lm.pt"));
  it.skipIf(!hasTorch || !built)("replica: fp32/fp16/q4f16 graphs against the PyTorch replica (after model/replica/build.sh)", () => {
    runUnittest(replica, "test_replica", 1_200_000);
  }, 1_250_000);
});
