import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const MODEL = dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.PYTHON ?? "/usr/bin/python3";
// Training needs Debian's torch (see the README); CI installs none, so there the check skips.
const hasTorch = spawnSync(PYTHON, ["-c", "import torch, numpy"], { stdio: "ignore" }).status === 0;

describe("train.py", () => {
  it.skipIf(!hasTorch)("masks, schedules batches, measures digit roles and seeds each step's draws as the recipe says", () => {
    const result = spawnSync(PYTHON, ["-m", "unittest", "-v", "test_train"], { cwd: MODEL, encoding: "utf8", timeout: 120_000 });
    expect(result.status, result.stderr).toBe(0);
    // Every test in the file ran (none was skipped or lost to an import error).
    const defined = readFileSync(join(MODEL, "test_train.py"), "utf8").match(/^ +def test_/gm)?.length ?? 0;
    expect(defined).toBeGreaterThan(0);
    expect(result.stderr).toMatch(new RegExp(`Ran ${defined} tests`));
  });
});
