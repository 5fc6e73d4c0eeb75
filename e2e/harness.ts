/**
 * What the e2e tests share: the production build served on 127.0.0.1 (vite preview, with
 * COOP/COEP, or a bare static server without them), Debian's Chromium driven by
 * playwright-core, and a page wrapper that records every console error and uncaught exception.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { preview } from "vite";

export const ROOT = resolve(import.meta.dirname, "..");
export const DIST = join(ROOT, "dist");
export const ARTIFACTS = join(ROOT, "test-results");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** `vite preview` of dist/ with the COOP/COEP headers from vite.config.ts. */
export async function servePreview(): Promise<Served> {
  if (!existsSync(join(DIST, "index.html"))) throw new Error(`no production build in ${DIST}: run \`npm run build\` first`);
  const server = await preview({ root: ROOT, logLevel: "warn", preview: { host: "127.0.0.1", port: 0, strictPort: false, open: false } });
  const address = server.httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => server.close(),
  };
}

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};

/** dist/ from a plain static host: no COOP/COEP, like a GitHub Pages-style deployment. */
export async function serveStatic(): Promise<Served> {
  const server: Server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname));
    let file = join(DIST, path);
    if (!file.startsWith(DIST)) return void response.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) return void response.writeHead(404).end();
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "content-length": statSync(file).size });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

export function launchChromium(options: { webgpu?: boolean; args?: string[] } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.webgpu ? ["--enable-unsafe-webgpu"] : []), ...(options.args ?? [])],
  });
}

export interface CheckedPage {
  page: Page;
  /** Console errors and uncaught exceptions seen so far (worker ones included). */
  errors: string[];
}

/** A console error a test provokes on purpose, matched on its text and the URL it names. */
export type ExpectedError = (text: string, url: string) => boolean;

/**
 * onnxruntime's native log goes to console.error whatever its severity, and sessions log at
 * "warning" by default: this one says shape ops were placed on the CPU under WebGPU, which is
 * by design. Only that exact warning is tolerated; any [E:onnxruntime...] line still fails.
 */
const ORT_PLACEMENT_WARNING = /\[W:onnxruntime:.*VerifyEachNodeIsAssignedToAnEp/;

/** Opens a page that records every console error and uncaught exception, except expected ones. */
export async function openPage(browser: Browser, url: string, expected: ExpectedError = () => false): Promise<CheckedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
  const page = await context.newPage();
  const errors: string[] = [];
  // Worker console messages reach the page's console event too, with worker() set.
  page.on("console", (message) => {
    const text = message.text();
    if (message.type() === "error" && !ORT_PLACEMENT_WARNING.test(text) && !expected(text, message.location().url)) {
      errors.push(`${message.worker() ? "worker " : ""}console: ${text} (${message.location().url})`);
    }
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  await page.goto(url);
  return { page, errors };
}
