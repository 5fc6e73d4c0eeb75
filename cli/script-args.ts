/**
 * The flags of the repository's long-running scripts (`npm run results`, `bench`, `bench:page`,
 * `bench:cache`, `bench:engine`, `model:build`): `--help` prints the script's usage and exits 0;
 * an unknown, malformed or out-of-range flag prints one line naming it and exits 2, before any
 * model loads or browser starts, instead of a stack trace (or minutes of work) first.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { OptionError } from "../src/errors.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;
export type ScriptFlags<O extends Options> = ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>>["values"];

export interface Script {
  /** How messages start: `bench`, `results`, `model:build`, ... */
  name: string;
  usage: string;
}

/** Parses argv with `options` and hands the flags to `read`, which checks them (throwing OptionError). */
export function scriptArgs<O extends Options, T>(script: Script, options: O, read: (flags: ScriptFlags<O>) => T, argv: string[] = process.argv.slice(2)): T {
  if (argv.includes("--help")) {
    process.stdout.write(`${script.usage}\n`);
    process.exit(0);
  }
  try {
    return read(parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values);
  } catch (error) {
    const parseError = typeof (error as { code?: unknown }).code === "string" && (error as { code: string }).code.startsWith("ERR_PARSE_ARGS");
    if (!(error instanceof OptionError) && !parseError) throw error;
    process.stderr.write(`${script.name}: ${(error as Error).message.replace(/\s+/g, " ")} (--help for usage)\n`);
    process.exit(2);
  }
}

/** An integer flag >= min, as the scripts' counts and runs are. */
export function integerFlag(flag: string, text: string, min = 1): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < min) throw new OptionError(flag, `must be an integer >= ${min}, got ${JSON.stringify(text)}`);
  return value;
}
