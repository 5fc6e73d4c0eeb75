/**
 * Dev server and production build of the page. COOP/COEP make the page cross-origin isolated
 * so onnxruntime's WASM can use threads; onnxruntime-web's .wasm files are emitted as local
 * assets (no CDN). `base: "./"` lets the build folder work from any path of a static host.
 */
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { serviceWorker } from "./src/service-worker/build-plugin.ts";

const crossOriginIsolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

/**
 * The production pages' Content-Security-Policy: scripts, styles, workers and images only from
 * the page's own origin; 'wasm-unsafe-eval' so onnxruntime can compile its WASM; blob: workers
 * for its threads. connect-src also admits http(s) because the user may load a model folder
 * from any URL they type; nothing else is fetched. No inline script or style is allowed.
 * Build only: the dev server injects inline scripts for hot reload.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self' http: https:",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join("; ");

const contentSecurityPolicy: Plugin = {
  name: "content-security-policy",
  apply: "build",
  transformIndexHtml: () => [{ tag: "meta", attrs: { "http-equiv": "Content-Security-Policy", content: CONTENT_SECURITY_POLICY }, injectTo: "head-prepend" }],
};

export default defineConfig({
  plugins: [
    contentSecurityPolicy,
    // dist/sw.js: offline use after one visit, and COOP/COEP on hosts that send none. The
    // embedded model (public/models/) is left to the engine worker's own Cache Storage.
    serviceWorker({ entry: fileURLToPath(new URL("./src/service-worker/sw.ts", import.meta.url)), fileName: "sw.js", skip: ["models/"] }),
  ],
  base: "./",
  // No SPA fallback: a missing model file must be a 404, not index.html served as config.json.
  appType: "mpa",
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  // Code-split ES workers, so onnxruntime stays in its own chunk: its WASM threads load that
  // chunk by URL and must not re-run the engine worker.
  worker: { format: "es" },
  // Pre-bundling would move onnxruntime-web away from its .wasm files in dev.
  optimizeDeps: { exclude: ["onnxruntime-web"] },
  build: {
    target: "es2022",
    // onnxruntime-web's runtime is one ~400 kB module; it is loaded lazily by the worker.
    chunkSizeWarningLimit: 1024,
    // eval.html (the evaluation panel, src/eval-page/) is a second page of the same build.
    rolldownOptions: { input: { main: fileURLToPath(new URL("./index.html", import.meta.url)), eval: fileURLToPath(new URL("./eval.html", import.meta.url)) } },
  },
});
