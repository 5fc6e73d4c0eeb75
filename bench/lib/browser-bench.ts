/**
 * The forward benchmark in Chromium (playwright-core, Debian's /usr/bin/chromium): builds the
 * page in bench/browser/ with Vite, serves it on 127.0.0.1 (with or without COOP/COEP, i.e.
 * cross-origin isolated or not) next to public/models/, opens it, and asks it for rounds.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve } from "node:path";
import { chromium } from "playwright-core";
import { build } from "vite";
import type { PageFailure, PageReady, PageRequest } from "../browser/protocol.ts";
import type { PassSample } from "./forward-latency.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const PAGE_DIR = join(ROOT, "bench/browser");
const OUT_DIR = join(PAGE_DIR, "dist");
const MODELS_DIR = join(ROOT, "public/models");
/** The Qwen3 replica's hub layout, served at /replica/ (its MDLM and BD3LM folders). */
const REPLICA_HUB = join(ROOT, "model/replica/hub/dllm-replica");
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

/** dist/ of the bench page, /models/ from public/models/ and /replica/ from model/replica/hub/dllm-replica/; COOP/COEP when `isolated`. */
export async function serveBenchPage(isolated: boolean): Promise<BenchServer> {
  const headers: Record<string, string> = isolated ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" } : {};
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname));
    const [base, rest] = path.startsWith("/models/")
      ? [MODELS_DIR, path.slice("/models/".length)]
      : path.startsWith("/replica/")
        ? [REPLICA_HUB, path.slice("/replica/".length)]
        : [OUT_DIR, path];
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

export interface ChromiumBench {
  ready: PageReady;
  /** One round at the given length: a pass of every variant the page opened, wall time. */
  round(length: number): Promise<PassSample[]>;
  close(): Promise<void>;
}

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms).unref())]);

/** Opens the bench page with the given request; a page that fails to open is a PageFailure, not a throw. */
export async function openChromiumBench(pageUrl: string, request: Omit<PageRequest, "modelUrl" | "replicaUrl">, options: { webgpu?: boolean; timeoutMs: number }): Promise<ChromiumBench | PageFailure> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...(options.webgpu ? ["--enable-unsafe-webgpu"] : [])] });
  try {
    const page = await browser.newPage();
    const query = new URLSearchParams({ backend: request.backend, threads: String(request.threads), variants: request.variants.join(",") });
    await page.goto(`${pageUrl}?${query}`);
    await page.waitForSelector('#result:not([data-status="running"])', { state: "attached", timeout: options.timeoutMs });
    const shown = JSON.parse((await page.textContent("#result")) ?? "{}") as PageReady | PageFailure;
    if (!shown.ok) {
      await browser.close();
      return shown;
    }
    return {
      ready: shown,
      round: (length) => withTimeout(page.evaluate((n) => window.benchRound!(n), length), options.timeoutMs, `a round at T = ${length}`),
      close: () => browser.close(),
    };
  } catch (error) {
    await browser.close();
    return { ok: false, error: (error as Error).message.split("\n")[0]! };
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
