/** Test helper: runs one of the CLIs as a user would (`node --import tsx cli/X.ts ...`). */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");

/** A runner for `cli/<script>`; a non-zero exit resolves with its code instead of throwing. */
export function cliRunner(script: string): (args: string[]) => Promise<CliOutcome> {
  return (args) =>
    run("node", ["--import", "tsx", join(ROOT, "cli", script), ...args], { cwd: ROOT }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: CliOutcome) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
}
