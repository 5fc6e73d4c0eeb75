/**
 * The npm package's build (`npm run build:lib`, into lib/): the browser entry with its engine
 * worker, the Node entry and the CLI, as ES modules. Everything the browser side imports is
 * bundled, onnxruntime-web included, and its .wasm files are emitted beside the worker's chunks:
 * a consumer's bundler (Vite) re-bundles them as they are, and a plain `<script type="module">`
 * on a static host needs no import map (a worker cannot see the page's import map anyway).
 * Only onnxruntime-node (native, an optional peer) and Node's built-ins stay external.
 * The demo page keeps its own config (vite.config.ts).
 */
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const entry = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

const WORKER_SOURCE = 'new URL("../workers/engine.worker.ts", import.meta.url)';
const WORKER_PLACEHOLDER = "__DLLM_ENGINE_WORKER_URL__";

/**
 * The client starts its worker with `new Worker(new URL("./engine.worker.js", import.meta.url),
 * { type: "module" })`, literally: that is the one form a consumer's Vite recognises and
 * bundles as a worker, with the worker's own imports (onnxruntime's chunks and their .wasm).
 * Vite's worker handling in this build would instead emit a hashed copy behind an expression no
 * bundler follows, so the worker is built here as an entry of its own, and the client's source
 * URL is swapped for a placeholder that becomes the entry's relative path once chunks have names.
 */
const workerAsEntry: Plugin = {
  name: "dllm-worker-as-entry",
  enforce: "pre",
  transform(code, id) {
    if (!id.endsWith("/src/index.ts")) return null;
    if (!code.includes(WORKER_SOURCE)) this.error(`src/index.ts no longer starts its worker with ${WORKER_SOURCE}; update vite.lib.config.ts`);
    return code.replace(WORKER_SOURCE, `new URL(${WORKER_PLACEHOLDER}, import.meta.url)`);
  },
  generateBundle(_options, bundle) {
    const worker = Object.values(bundle).find((chunk) => chunk.type === "chunk" && chunk.isEntry && chunk.name === "engine.worker");
    if (!worker) this.error("the engine worker entry is missing from the bundle");
    let replaced = 0;
    for (const chunk of Object.values(bundle)) {
      if (chunk.type !== "chunk" || !chunk.code.includes(WORKER_PLACEHOLDER)) continue;
      const relative = posix.relative(posix.dirname(chunk.fileName), worker.fileName);
      chunk.code = chunk.code.replaceAll(WORKER_PLACEHOLDER, JSON.stringify(relative.startsWith(".") ? relative : `./${relative}`));
      replaced++;
    }
    if (replaced !== 1) this.error(`expected the worker URL in one chunk, found it in ${replaced}`);
  },
};

/**
 * onnxruntime-web names its own file (`new URL("ort.bundle.min.mjs", import.meta.url)`, used only
 * under file: URLs, i.e. Node), a file that no longer exists once bundled: every consumer's Vite
 * build would warn about it. Marked `@vite-ignore`, it is left to run time as it is here.
 */
const ORT_SELF_URL = /new URL\("(ort[\w.]*\.mjs)", import\.meta\.url\)/g;
const quietOrtSelfUrl: Plugin = {
  name: "dllm-quiet-ort-self-url",
  generateBundle(_options, bundle) {
    for (const chunk of Object.values(bundle)) {
      if (chunk.type === "chunk") chunk.code = chunk.code.replace(ORT_SELF_URL, 'new URL(/* @vite-ignore */ "$1", import.meta.url)');
    }
  },
};

export default defineConfig({
  // No public/ copy: the embedded model (public/models/) must not be in the package.
  publicDir: false,
  // Chunks, the worker and the .wasm files are found relative to the module that names them.
  base: "./",
  plugins: [workerAsEntry, quietOrtSelfUrl],
  build: {
    outDir: "lib",
    emptyOutDir: true,
    target: "es2022",
    // A library is read by people debugging their app; their bundler minifies.
    minify: false,
    // The preload helper would resolve chunks against the consumer's page, not this package.
    modulePreload: false,
    copyPublicDir: false,
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      input: { index: entry("./src/index.ts"), "engine.worker": entry("./workers/engine.worker.ts"), node: entry("./src/node/index.ts"), generate: entry("./cli/generate.ts") },
      preserveEntrySignatures: "strict",
      external: [/^node:/, "onnxruntime-node"],
      output: { entryFileNames: "[name].js", chunkFileNames: "chunks/[name]-[hash].js", assetFileNames: "assets/[name]-[hash][extname]" },
    },
  },
});
