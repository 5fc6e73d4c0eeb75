/**
 * Large model downloads in Chromium from the local hub (src/node/hub-server.ts), through
 * workers/cached-files.ts bundled into a minimal cross-origin-isolated page on another origin:
 * progress with rate and time left; a connection cut mid-file resumes with a Range request, in
 * the same load and in the next visit, and the bytes equal the file's; the next visit reads it
 * from Cache Storage; a quota too small for the file fails with the MB needed and available.
 * The worker/page wiring is others' work: this drives the module itself, as the worker will.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import type { Page } from "@playwright/test";
import { build } from "vite";
import { startHubServer, type HubServer } from "../src/node/hub-server.ts";
import { noteErrorsPerTest, openCheckedPage, test, type CheckedPage } from "./fixtures.ts";

const ROOT = resolve(import.meta.dirname, "..");

const MiB = 2 ** 20;
const REPO = "test/big-model";
const FILE = "onnx/model.onnx.data";
const SIZE = 40 * MiB;
/** Small parts, so a 40 MiB file has ten and a cut lands between them. */
const PART = 4 * MiB;

/** The page: the bundle, a progress bar and a status line the test reads. */
const INDEX = `<!doctype html><meta charset="utf-8"><title>hub download</title>
<progress id="bar" max="1" value="0"></progress> <output id="status"></output>
<script type="module">import * as download from "./dllm-download.js"; window.download = download; document.body.dataset.ready = "1";</script>`;

async function bundle(dir: string): Promise<void> {
  const entry = join(dir, "entry.ts");
  writeFileSync(
    entry,
    `export { cachedModelFiles } from ${JSON.stringify(join(ROOT, "workers/cached-files.ts"))};\n` +
      `export { describeProgress, throttleProgress } from ${JSON.stringify(join(ROOT, "workers/progress.ts"))};\n`,
  );
  await build({
    configFile: false,
    root: dir,
    logLevel: "warn",
    build: { lib: { entry, formats: ["es"], fileName: () => "dllm-download.js" }, outDir: join(dir, "page"), emptyOutDir: true, minify: false },
  });
  writeFileSync(join(dir, "page", "index.html"), INDEX);
}

/** The page's origin, cross-origin isolated like the app (COOP + COEP require-corp). */
async function servePage(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const name = new URL(request.url ?? "/", "http://x").pathname.slice(1) || "index.html";
    if (!/^[\w.-]+$/.test(name)) return void response.writeHead(404).end();
    const type = extname(name) === ".html" ? "text/html" : "text/javascript";
    response.writeHead(200, { "content-type": type, "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" });
    createReadStream(join(dir, "page", name))
      .on("error", () => response.destroy())
      .pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

interface Outcome {
  ok: boolean;
  /** SHA-256 of the bytes the page got (through the blob: URL, as onnxruntime-web reads them). */
  sha256?: string;
  error?: { name: string; message: string };
  notices: string[];
  cached: string[];
  progress: { loaded: number; total?: number; rate?: number; etaSeconds?: number; note?: string; fromCache: boolean }[];
  status: string;
}

/** Loads the file in the page with cachedModelFiles, as the worker will: externalData, then read the blob: URL. */
function loadInPage(page: Page, baseUrl: string, retries: number, quota?: number): Promise<Outcome> {
  return page.evaluate(
    async ({ baseUrl, file, part, retries, quota }) => {
      type Progress = { loaded: number; total?: number; rate?: number; etaSeconds?: number; note?: string; fromCache: boolean };
      const download = (window as unknown as { download: typeof import("../workers/cached-files.ts") & typeof import("../workers/progress.ts") }).download;
      const bar = document.querySelector("progress")!;
      const status = document.querySelector("output")!;
      const progress: Progress[] = [];
      // A quota given: the browser's estimate with that quota (Chromium's own quota override skips incognito contexts).
      const storageManager =
        quota === undefined
          ? navigator.storage
          : ({ estimate: async () => ({ ...(await navigator.storage.estimate()), quota }), persisted: async () => false } as StorageManager);
      const files = download.cachedModelFiles(baseUrl, true, { partBytes: part, retries, retryDelayMs: 100, storageManager });
      const show = download.throttleProgress((p) => {
        if (p.total) bar.value = p.loaded / p.total;
        status.textContent = download.describeProgress(p);
      });
      try {
        const data = await files.externalData(file, (p) => {
          progress.push({ loaded: p.loaded, total: p.total, rate: p.rate, etaSeconds: p.etaSeconds, note: p.note, fromCache: p.fromCache });
          show(p);
        });
        const bytes = typeof data === "string" ? await (await fetch(data)).arrayBuffer() : data;
        if (typeof data === "string") URL.revokeObjectURL(data);
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as ArrayBuffer));
        const sha256 = Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
        return { ok: true, sha256, notices: [...files.notices], cached: [...files.cachedFiles], progress, status: status.textContent ?? "" };
      } catch (error) {
        const { name, message } = error as Error;
        return { ok: false, error: { name, message }, notices: [...files.notices], cached: [...files.cachedFiles], progress, status: status.textContent ?? "" };
      }
    },
    { baseUrl, file: FILE, part: PART, retries, quota },
  );
}

test.describe("large downloads from a local hub, in Chromium", () => {
  test.describe.configure({ mode: "serial" });
  let dir: string;
  let hub: HubServer;
  let pageServer: Server;
  let pageUrl: string;
  let checked: CheckedPage;
  let sha: string;
  let baseUrl: string;

  test.beforeAll(async ({ browser }) => {
    dir = mkdtempSync(join(tmpdir(), "hub-download-"));
    const data = randomBytes(SIZE);
    sha = createHash("sha256").update(data).digest("hex");
    mkdirSync(join(dir, "hub", REPO, "onnx"), { recursive: true });
    writeFileSync(join(dir, "hub", REPO, FILE), data);
    hub = await startHubServer({ root: join(dir, "hub") });
    baseUrl = `${hub.url}/${REPO}/resolve/main/`;
    await bundle(dir);
    ({ url: pageUrl, server: pageServer } = await servePage(dir));
    // The cut connections are provoked on purpose: Chromium logs them as failed loads.
    checked = await openCheckedPage(browser, pageUrl, { expectedErrors: /ERR_CONTENT_LENGTH_MISMATCH|ERR_INCOMPLETE_CHUNKED_ENCODING|Failed to load resource/ });
    await checked.page.waitForSelector("body[data-ready='1']");
  });
  test.afterAll(async () => {
    await checked?.page.context().close();
    await hub?.close();
    await new Promise((done) => pageServer?.close(done));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  noteErrorsPerTest(() => checked);

  const gets = (from: number) => hub.requests.slice(from).filter((request) => request.method === "GET");

  test("is cross-origin isolated, so the hub's CORS and CORP headers are what let it read the files", async () => {
    assert.equal(await checked.page.evaluate(() => globalThis.crossOriginIsolated), true);
  });

  test("resumes a download cut mid-file with a Range request in the same load, and gets the file's bytes", async () => {
    const cutAt = 13 * MiB + 12345;
    hub.cutOnce(`${REPO}/${FILE}`, cutAt);
    const from = hub.requests.length;
    const outcome = await loadInPage(checked.page, baseUrl, 3);
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    assert.equal(outcome.sha256, sha);
    // Chromium drops what it had buffered but not yet handed to the reader when a connection
    // fails, so the download resumes where the page's reader stopped, at or before the cut.
    const [first, resumed, ...more] = gets(from);
    assert.deepEqual([first!.range, first!.status, resumed!.status, more], [null, 200, 206, []]);
    const offset = Number(/^bytes=(\d+)-$/.exec(resumed!.range ?? "")?.[1]);
    assert.ok(offset > 0 && offset <= cutAt, `resumed at ${offset}, cut at ${cutAt}`);
    assert.equal(resumed!.bytesSent, SIZE - offset);
    const notes = outcome.progress.flatMap((p) => (p.note ? [p.note] : []));
    const at = `${(offset / 1e6).toFixed(1)} MB of 41.9 MB`;
    assert.match(notes[0]!, new RegExp(`connection lost at ${at} .*: resuming`));
    assert.equal(notes[1], `${FILE}: resuming the download at ${at}`);
    // Progress: bytes never go back, a rate and a time left appear, and the last report is complete.
    for (let i = 1; i < outcome.progress.length; i++) assert.ok(outcome.progress[i]!.loaded >= outcome.progress[i - 1]!.loaded);
    const last = outcome.progress.at(-1)!;
    assert.deepEqual([last.loaded, last.total, last.etaSeconds], [SIZE, SIZE, 0]);
    assert.match(outcome.status, /^onnx\/model\.onnx\.data: 41\.9 MB of 41\.9 MB/);
  });

  test("reads the file from Cache Storage on the next visit", async () => {
    await checked.page.reload();
    await checked.page.waitForSelector("body[data-ready='1']");
    const from = hub.requests.length;
    const outcome = await loadInPage(checked.page, baseUrl, 3);
    assert.equal(outcome.sha256, sha);
    assert.deepEqual(outcome.cached, [FILE]);
    assert.deepEqual(gets(from), []);
    assert.ok(outcome.progress.every((p) => p.fromCache));
    assert.match(outcome.status, /from cache/);
  });

  test("keeps the parts of a download cut off for good, and the next visit resumes after them", async () => {
    await checked.page.evaluate(() => caches.delete("dllm-model-files-v1"));
    hub.cutOnce(`${REPO}/${FILE}`, 21 * MiB + 999);
    const failed = await loadInPage(checked.page, baseUrl, 0);
    assert.equal(failed.ok, false);
    assert.equal(failed.error!.name, "ModelLoadError");
    assert.match(failed.error!.message, /interrupted at \d+\.\d MB of 41\.9 MB .*load again to resume it/);
    const reached = Number(/interrupted at (\d+\.\d) MB/.exec(failed.error!.message)![1]) * 1e6;
    await checked.page.reload();
    await checked.page.waitForSelector("body[data-ready='1']");
    const from = hub.requests.length;
    const outcome = await loadInPage(checked.page, baseUrl, 0);
    assert.equal(outcome.sha256, sha);
    // It resumes after the last whole part stored before the cut (the message rounds to 0.1 MB).
    const [resumed, ...more] = gets(from);
    const offset = Number(/^bytes=(\d+)-$/.exec(resumed?.range ?? "")?.[1]);
    assert.deepEqual([resumed?.status, more], [206, []]);
    assert.ok(offset > 0 && offset % PART === 0 && offset <= reached + 0.05e6 && reached - offset < PART + 0.05e6, `resumed at ${offset}, had ${reached}`);
    // Headless Chromium does not grant persistent storage to a page without engagement.
    assert.deepEqual(outcome.notices, [
      "persistent storage was not granted: the browser may evict the model files when the disk is nearly full",
      `${FILE}: resuming the download at ${(offset / 1e6).toFixed(1)} MB of 41.9 MB`,
    ]);
  });

  test("a quota too small for the file fails before downloading, with the MB needed and available", async () => {
    await checked.page.evaluate(() => caches.delete("dllm-model-files-v1"));
    const from = hub.requests.length;
    const outcome = await loadInPage(checked.page, baseUrl, 0, 10 * MiB);
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error!.name, "StorageQuotaError");
    assert.match(outcome.error!.message, /need 42 MB of browser storage but only \d+ MB is available \(quota 11 MB, .*Clear cache.*useCache: false/);
    assert.deepEqual(gets(from), []);
  });

  test("logged no console errors and threw nothing", () => {
    assert.deepEqual(checked.errors, []);
  });
});
