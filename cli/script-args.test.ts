import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const run = promisify(execFile);

/** Runs a script as `npm run <name>` does (tsx), resolving with its exit code instead of throwing. */
async function script(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run("node", ["--import", "tsx", join(ROOT, file), ...args], { cwd: ROOT }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

// Each long-running script, with a flag value its own check rejects (not only the parser).
const SCRIPTS = [
  { name: "results", file: "cli/results.ts", bad: ["--runs", "0"], flag: "--runs" },
  { name: "bench", file: "bench/bench.ts", bad: ["--runs", "two"], flag: "--runs" },
  { name: "bench:engine", file: "bench/engine-overhead.ts", bad: ["--runs", "-1"], flag: "--runs" },
  { name: "bench:cache", file: "bench/kv-cache.ts", bad: ["--lengths", "128,x"], flag: "--lengths" },
  { name: "bench:page", file: "bench/page-speed.ts", bad: ["--dist", "nopath"], flag: "--dist" },
  { name: "model:build", file: "model/build.ts", bad: ["--steps"], flag: "--steps" },
] as const;

describe("the repository's scripts on --help and bad flags", () => {
  for (const { name, file, bad, flag } of SCRIPTS) {
    it(`npm run ${name}: --help prints its usage; a bad flag is one line naming it and exit 2`, async () => {
      const help = await script(file, ["--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: npm run ${name} -- `));
      const unknown = await script(file, ["--bogus"]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(new RegExp(`^${name}: .*'--bogus'.* \\(--help for usage\\)\\n$`));
      const invalid = await script(file, [...bad]);
      expect(invalid.code).toBe(2);
      expect(invalid.stderr.split("\n")[0]).toMatch(new RegExp(`^${name}: .*${flag}.* \\(--help for usage\\)$`));
      expect(invalid.stderr).not.toMatch(/\n\s+at /);
    }, 30_000);
  }
});
