/**
 * The forward benchmark in Chromium (playwright-core, Debian's /usr/bin/chromium): builds the
 * page in bench/browser/ with Vite, serves it on 127.0.0.1 (with or without COOP/COEP, i.e.
 * cross-origin isolated or not) next to public/models/, and reads the report the page shows.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve } from "node:path";
import { chromium } from "playwright-core";
import { build } from "vite";
import type { BenchFailure, BenchReport, BenchRequest } from "../browser/protocol.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const PAGE_DIR = join(ROOT, "bench/browser");
const OUT_DIR = join(PAGE_DIR, "dist");
const MODELS_DIR = join(ROOT, "public/models");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"];

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

export async function buildBenchPage(): Promise<void> {
  await build({
    configFile: false,
    root: PAGE_DIR,
    base: "./",
    logLevel: "warn",
    worker: { format: "es" },
    build: { outDir: OUT_DIR, emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 4096 },
  });
}

export interface BenchServer {
  url: string;
  close(): Promise<void>;
}

/** dist/ of the bench page, and /models/ from public/models/; COOP/COEP when `isolated`. */
export async function serveBenchPage(isolated: boolean): Promise<BenchServer> {
  const headers: Record<string, string> = isolated ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" } : {};
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname));
    const [base, rest] = path.startsWith("/models/") ? [MODELS_DIR, path.slice("/models/".length)] : [OUT_DIR, path];
    let file = join(base, rest);
    if (!file.startsWith(base)) return void response.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) return void response.writeHead(404).end();
    response.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream", "content-length": statSync(file).size });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((done) => server.close(() => done())) };
}

export type BrowserRun = BenchReport | BenchFailure;

/** Opens the bench page once with the given request and waits for its report. */
export async function runInChromium(pageUrl: string, request: Omit<BenchRequest, "modelUrl">, options: { webgpu?: boolean; timeoutMs: number }): Promise<BrowserRun> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...(options.webgpu ? ["--enable-unsafe-webgpu"] : [])] });
  try {
    const page = await browser.newPage();
    const query = new URLSearchParams({
      backend: request.backend,
      threads: String(request.threads),
      lengths: request.sequenceLengths.join(","),
      warmup: String(request.warmup),
      runs: String(request.runs),
    });
    await page.goto(`${pageUrl}?${query}`);
    await page.waitForSelector('#result:not([data-status="running"])', { state: "attached", timeout: options.timeoutMs });
    return JSON.parse((await page.textContent("#result")) ?? "{}") as BrowserRun;
  } catch (error) {
    return { ok: false, error: (error as Error).message.split("\n")[0]! };
  } finally {
    await browser.close();
  }
}

export async function chromiumVersion(): Promise<string> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    return browser.version();
  } finally {
    await browser.close();
  }
}
