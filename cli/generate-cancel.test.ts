/**
 * Ctrl-C during `npm run generate`: the run stops after the current forward pass, prints the
 * partial result and exits with 130.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");

describe("npm run generate, interrupted", () => {
  it("SIGINT after the first pass prints the partial result and exits 130", async () => {
    const child = spawn("node", ["--import", "tsx", join(ROOT, "cli/generate.ts"), "--prompt", "The", "--decoder", "fixed", "--gen-length", "256", "--block-size", "256", "--json"], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    let interrupted = false;
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
      // The first progress line means a pass has run: interrupt once, now.
      if (!interrupted && /pass 1:/.test(stderr)) {
        interrupted = true;
        child.kill("SIGINT");
      }
    });
    const code = await new Promise<number | null>((done) => child.on("close", done));
    expect(code).toBe(130);
    const out = JSON.parse(stdout) as { nfe: number; stopReason: string; tokens: number[] };
    expect(out.stopReason).toBe("aborted");
    expect(out.nfe).toBeGreaterThanOrEqual(1);
    expect(out.nfe).toBeLessThan(256);
  });
});
