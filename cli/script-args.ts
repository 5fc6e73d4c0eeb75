/**
 * The flags of the repository's long-running scripts (`npm run results`, `bench`, `bench:page`,
 * `bench:cache`, `bench:engine`, `model:build`): `--help` prints the script's usage and exits 0;
 * an unknown, malformed or out-of-range flag prints one line naming it and exits 2, before any
 * model loads or browser starts, instead of a stack trace (or minutes of work) first.
 */
import type { ParseArgsConfig } from "node:util";
import { OptionError } from "../src/errors.ts";
import { type Flags, parseTypedFlags } from "./args.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Script {
  /** How messages start: `bench`, `results`, `model:build`, ... */
  name: string;
  usage: string;
}

/** Parses argv with `options` and hands the flags to `read`, which checks them (throwing OptionError). */
export function scriptArgs<O extends Options, T>(script: Script, options: O, read: (flags: Flags<O>) => T, argv: string[] = process.argv.slice(2)): T {
  if (argv.includes("--help")) {
    process.stdout.write(`${script.usage}\n`);
    process.exit(0);
  }
  try {
    return read(parseTypedFlags(argv, options));
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    process.stderr.write(`${script.name}: ${error.message} (--help for usage)\n`);
    process.exit(2);
  }
}
