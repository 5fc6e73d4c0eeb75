#!/usr/bin/env node
/**
 * `dllm-web generate --prompt TEXT [flags]`: the repository's `npm run generate`, compiled into
 * lib/generate.js (the same flags; `dllm-web generate --help` lists them). onnxruntime-node is an
 * optional peer dependency, so a missing one is named with the command that installs it.
 */
const [command] = process.argv.splice(2, 1);
if (command !== "generate") {
  const help = command === "--help";
  (help ? process.stdout : process.stderr).write("usage: dllm-web generate --prompt TEXT [flags]   (dllm-web generate --help lists the flags)\n");
  process.exit(help ? 0 : 2);
}
try {
  await import("../lib/generate.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("onnxruntime-node")) throw error;
  process.stderr.write("generate: the CLI runs models with onnxruntime-node, which is not installed: npm install onnxruntime-node\n");
  process.exit(1);
}
