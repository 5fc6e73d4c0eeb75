/**
 * The e2e suite on Playwright's test runner: e2e/*.spec.ts against the production build
 * (`npm run e2e` builds it first), in Debian's Chromium (never a downloaded browser). The
 * runner starts two servers on fixed local ports: vite preview of dist/ with the COOP/COEP
 * headers of vite.config.ts (baseURL, so tests call `page.goto("/")`), and a plain static
 * server of dist/ without them (the `staticURL` fixture of e2e/fixtures.ts).
 */
import { defineConfig } from "@playwright/test";
import { CHROMIUM, CHROMIUM_ARGS, DIST, PREVIEW_PORT, PREVIEW_URL, STATIC_PORT, STATIC_URL, VIEWPORT, WEBGPU_ARGS } from "./e2e/environment.ts";

export default defineConfig({
  testDir: "e2e",
  testMatch: "*.spec.ts",
  // Two cores: one model in one browser at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  // Loading a model and compiling onnxruntime's WASM takes up to 2 minutes on two busy cores;
  // a test drives several loads and runs. The whole suite takes about 10 minutes.
  timeout: 600_000,
  globalTimeout: 3_600_000,
  expect: { timeout: 30_000 },
  // A run on its own E2E_PORT keeps its artifacts apart too: a run empties its outputDir first.
  outputDir: process.env.E2E_PORT ? `test-results/port-${PREVIEW_PORT}` : "test-results",
  reporter: [["list"], ["html", { outputFolder: process.env.E2E_PORT ? `playwright-report/port-${PREVIEW_PORT}` : "playwright-report", open: "never" }]],
  use: {
    baseURL: PREVIEW_URL,
    viewport: VIEWPORT,
    launchOptions: { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS },
    // playwright-core's defaults, which the tests were written against: an action or a wait with no
    // timeout of its own fails after 30 s (the runner's default, 0, would wait out the test).
    actionTimeout: 30_000,
    navigationTimeout: 30_000,
    // DOM snapshots, not a screencast, in the kept traces: recording frames of every test costs
    // the two cores enough to slow timing-sensitive pages (the player).
    trace: { mode: "retain-on-failure", screenshots: false },
    screenshot: "only-on-failure",
  },
  // Tests tagged @webgpu run in a Chromium with WebGPU enabled (SwiftShader here), the rest without.
  projects: [
    { name: "chromium", grepInvert: /@webgpu/ },
    { name: "webgpu", grep: /@webgpu/, use: { launchOptions: { executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...WEBGPU_ARGS] } } },
  ],
  webServer: [
    {
      // --bypass-lock: Vite refuses a second preview of the project, even on another port (E2E_PORT).
      command: `npx vite preview --host 127.0.0.1 --port ${PREVIEW_PORT} --strictPort --bypass-lock --outDir ${DIST}`,
      url: PREVIEW_URL,
      // A run already serving dist/ on these ports (another `playwright test`) is reused.
      reuseExistingServer: true,
      timeout: 60_000,
    },
    {
      command: `npx tsx e2e/static-server.ts ${STATIC_PORT} ${DIST}`,
      url: STATIC_URL,
      reuseExistingServer: true,
      timeout: 60_000,
    },
  ],
});
