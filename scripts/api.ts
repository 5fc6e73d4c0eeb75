/**
 * The package's public API, from the declarations `npm run build:lib` emits into lib/types/:
 * api-extractor rolls each entry's types into one file (lib/index.d.ts, lib/node.d.ts) and
 * writes its report (docs/api/dllm-web.api.md, docs/api/dllm-web-node.api.md), and
 * api-documenter turns the TSDoc comments into the Markdown reference in docs/api/reference/
 * (where the `dllm-web-node` package stands for the `dllm-web/node` entry).
 *
 *   tsx scripts/api.ts            rolls up the types (npm run build:lib); a stale report is a warning
 *   tsx scripts/api.ts --check    the same, and a stale report fails (npm test)
 *   tsx scripts/api.ts --update   rewrites the reports and the reference (npm run docs:api)
 *
 * The reports are committed so a change to the API shows up in review; `--check` runs in
 * `npm test`, so a change that was not regenerated fails there.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { Extractor, ExtractorConfig, ExtractorLogLevel, type IConfigFile } from "@microsoft/api-extractor";

const ROOT = resolve(import.meta.dirname, "..");
const DOCS = resolve(ROOT, "docs/api");
/** api-documenter empties its output folder first, so the reference has its own. */
const REFERENCE = resolve(DOCS, "reference");
const MODELS = resolve(ROOT, "lib/api");
const check = process.argv.includes("--check");
const update = process.argv.includes("--update");

interface Entry {
  /** The import path a consumer writes. */
  specifier: string;
  /** Base name of the report and of the doc model. */
  name: string;
  declarations: string;
  rollup: string;
}

const ENTRIES: Entry[] = [
  { specifier: "dllm-web", name: "dllm-web", declarations: "lib/types/src/index.d.ts", rollup: "lib/index.d.ts" },
  { specifier: "dllm-web/node", name: "dllm-web-node", declarations: "lib/types/src/node/index.d.ts", rollup: "lib/node.d.ts" },
];

function configFor(entry: Entry): IConfigFile {
  return {
    projectFolder: ROOT,
    mainEntryPointFilePath: resolve(ROOT, entry.declarations),
    // api-extractor reads the declarations with its own TypeScript: the options they need, no more.
    compiler: {
      overrideTsconfig: {
        compilerOptions: {
          target: "ES2022",
          module: "ESNext",
          moduleResolution: "bundler",
          lib: ["ES2023", "DOM", "DOM.Iterable", "WebWorker"],
          types: ["node", "@webgpu/types"],
          allowImportingTsExtensions: true,
          skipLibCheck: true,
          noEmit: true,
        },
        files: [resolve(ROOT, entry.declarations)],
      },
    },
    apiReport: { enabled: true, reportFileName: entry.name, reportFolder: DOCS, reportTempFolder: MODELS },
    docModel: { enabled: true, apiJsonFilePath: resolve(MODELS, `${entry.name}.api.json`) },
    dtsRollup: { enabled: true, untrimmedFilePath: resolve(ROOT, entry.rollup) },
    tsdocMetadata: { enabled: false },
    messages: {
      // Release tags (@public, @beta) are not used here: every export is public.
      extractorMessageReporting: {
        default: { logLevel: ExtractorLogLevel.Warning },
        "ae-missing-release-tag": { logLevel: ExtractorLogLevel.None },
        // The report marks undocumented members; the build need not list each one.
        "ae-undocumented": { logLevel: ExtractorLogLevel.None },
        "ae-forgotten-export": { logLevel: ExtractorLogLevel.None, addToApiReportFile: false },
      },
      // The comments are written for readers, not for TSDoc's grammar (e.g. `@` in prose).
      tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
      compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
    },
  };
}

const stale: string[] = [];
mkdirSync(MODELS, { recursive: true });
for (const entry of ENTRIES) {
  const config = ExtractorConfig.prepare({
    configObject: configFor(entry),
    configObjectFullPath: resolve(ROOT, "scripts/api-extractor.json"),
    packageJsonFullPath: resolve(ROOT, "package.json"),
  });
  const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false });
  // A changed report alone makes a non-local run "fail"; whether that fails here depends on the mode.
  if (!result.succeeded && !(result.apiReportChanged && result.errorCount === 0)) {
    throw new Error(`api-extractor failed on ${entry.specifier}: ${result.errorCount} errors, ${result.warningCount} warnings`);
  }
  if (result.apiReportChanged) stale.push(`docs/api/${entry.name}.api.md`);
  // Both entries belong to one package, and a doc model is one package: api-documenter needs a
  // package name for each, and an import path with a slash is not one.
  const modelPath = resolve(MODELS, `${entry.name}.api.json`);
  const model = JSON.parse(readFileSync(modelPath, "utf8")) as { name: string };
  model.name = entry.name;
  writeFileSync(modelPath, JSON.stringify(model, null, 2));
}

if (update) {
  execFileSync(resolve(ROOT, "node_modules/.bin/api-documenter"), ["markdown", "--input-folder", MODELS, "--output-folder", REFERENCE], { stdio: "inherit" });
} else if (stale.length > 0) {
  process.stderr.write(`The public API changed and ${stale.join(", ")} ${stale.length === 1 ? "is" : "are"} stale: run npm run docs:api and commit the result.\n`);
  if (check) process.exit(1);
} else {
  process.stdout.write("The API reports match the public API.\n");
}
