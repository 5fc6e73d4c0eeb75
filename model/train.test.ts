import { spawnSync } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const MODEL = dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.PYTHON ?? "/usr/bin/python3";
// Training needs Debian's torch (see the README); CI installs none, so there the check skips.
const hasTorch = spawnSync(PYTHON, ["-c", "import torch, numpy"], { stdio: "ignore" }).status === 0;

describe("train.py", () => {
  it.skipIf(!hasTorch)("masks derived numbers and drill results as the recipe says, and seeds each step's draws by (seed, step)", () => {
    const result = spawnSync(PYTHON, ["-m", "unittest", "-v", "test_train"], { cwd: MODEL, encoding: "utf8", timeout: 120_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Ran 5 tests/);
  });
});
