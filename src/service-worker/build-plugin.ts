/**
 * Vite plugin (build only): writes dist/sw.js, the service worker of src/service-worker/sw.ts,
 * with the deploy's precache list compiled in. The list is what this build emitted (HTML, the
 * hashed JS, CSS and onnxruntime's WASM) plus the public folder's files, minus the folders
 * given in `skip` (the embedded model, which the engine worker caches itself). The version is
 * a hash of all those bytes, so any change to the deploy makes a new worker and a new cache.
 *
 * The worker is bundled by its own small build as one classic script (an IIFE): a service
 * worker registered as a module does not run everywhere, and sharing a chunk with the page
 * would make it one.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { build, type Plugin, type ResolvedConfig } from "vite";
import type { PrecacheManifest } from "./app-cache.ts";

export interface ServiceWorkerOptions {
  /** The worker's source file. */
  entry: string;
  /** Its name in the build folder, at the root so its scope is the whole app. */
  fileName: string;
  /** Folders of the public directory left out of the precache (with a trailing "/"). */
  skip: readonly string[];
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join("/"));
}

export function serviceWorker(options: ServiceWorkerOptions): Plugin {
  let config: ResolvedConfig;
  const emitted = new Map<string, string | Uint8Array>();
  return {
    name: "service-worker",
    apply: "build",
    configResolved(resolved) {
      config = resolved;
    },
    generateBundle: {
      order: "post",
      handler(_output, bundle) {
        for (const [fileName, item] of Object.entries(bundle)) {
          if (fileName.endsWith(".map")) continue;
          emitted.set(fileName, item.type === "chunk" ? item.code : item.source);
        }
      },
    },
    async closeBundle() {
      if (emitted.size === 0) return; // the build failed before writing anything
      const outDir = resolve(config.root, config.build.outDir);
      const files = new Map(emitted);
      if (config.publicDir) {
        for (const file of await listFiles(config.publicDir)) {
          if (options.skip.some((folder) => file.startsWith(folder))) continue;
          files.set(file, await readFile(join(config.publicDir, file)));
        }
      }
      files.delete(options.fileName);
      const names = [...files.keys()].sort();
      const hash = createHash("sha256");
      for (const name of names) hash.update(name).update("\0").update(files.get(name)!).update("\0");
      const manifest: PrecacheManifest = { version: hash.digest("hex").slice(0, 16), files: names };
      const output = await build({
        configFile: false,
        root: config.root,
        logLevel: "warn",
        publicDir: false,
        define: { __DLLM_PRECACHE__: JSON.stringify(manifest) },
        build: {
          write: false,
          target: config.build.target,
          minify: true,
          lib: { entry: options.entry, formats: ["iife"], name: "dllmServiceWorker", fileName: () => options.fileName },
        },
      });
      const chunks = (Array.isArray(output) ? output : [output]).flatMap((result) => ("output" in result ? result.output : []));
      const worker = chunks.find((item) => item.type === "chunk" && item.isEntry);
      if (worker?.type !== "chunk") throw new Error(`the service worker ${options.entry} produced no script`);
      if (chunks.length !== 1) throw new Error(`the service worker must be one script, got ${chunks.map((item) => item.fileName).join(", ")}`);
      await writeFile(join(outDir, options.fileName), worker.code);
    },
  };
}
