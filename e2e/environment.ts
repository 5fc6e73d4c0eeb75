/**
 * Where the e2e servers listen, how Chromium is launched and the page size, shared by playwright.config.ts
 * (which starts the servers) and e2e/fixtures.ts (which hands their URLs to the tests).
 * E2E_PORT moves both servers (and the artifacts, see the config), so two runs on one machine
 * need not share them.
 */
import { resolve } from "node:path";

/** The preview server (vite preview of dist/, with the COOP/COEP headers from vite.config.ts). */
export const PREVIEW_PORT = Number(process.env.E2E_PORT ?? 4180);
/** The plain static server (e2e/static-server.ts): dist/ with no COOP/COEP headers. */
export const STATIC_PORT = PREVIEW_PORT + 1;

export const PREVIEW_URL = `http://127.0.0.1:${PREVIEW_PORT}/`;
export const STATIC_URL = `http://127.0.0.1:${STATIC_PORT}/`;

/**
 * The production build both servers serve: dist/, or E2E_DIST, a build of its own
 * (`vite build --outDir DIR --emptyOutDir`) that another build of dist/ cannot swap mid-run.
 */
export const DIST = resolve(import.meta.dirname, "..", process.env.E2E_DIST ?? "dist");

/** Debian's Chromium: the runner never downloads a browser of its own. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Headless Chromium with nothing of its own going to the network or the shared-memory disk. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

/** What WebGPU needs in headless Chromium (it then runs on SwiftShader here). */
export const WEBGPU_ARGS = ["--enable-unsafe-webgpu"];

/** The page size every test uses unless it sets its own: tall enough for the live view and the heat map. */
export const VIEWPORT = { width: 1280, height: 1400 };
