/**
 * What every e2e spec imports instead of @playwright/test: `test` and `expect`, with a `page`
 * that fails its test on any console error or uncaught exception (the page's and its
 * workers'), and the helpers for suites that share one loaded page across serial tests.
 *
 * Fixtures and options:
 * - `page`: records errors from the start; at the test's end, fails it if any unexpected one
 *   remains. Viewport 1280x1400 (config) unless the test sets its own.
 * - `consoleErrors`: the errors recorded so far, to read mid-test.
 * - `expectedErrors` (option): a RegExp for errors a test provokes on purpose, tested against
 *   each error's text and the URL it names: `test.use({ expectedErrors: /missing-model/ })`.
 *   (A RegExp, not a predicate: Playwright takes a function given to test.use for a fixture.)
 * - `staticURL`: dist/ on the plain static server (no COOP/COEP headers), started by the config.
 * - WebGPU: tag a test or a describe `{ tag: "@webgpu" }`. It then runs in the config's
 *   `webgpu` project, whose Chromium has --enable-unsafe-webgpu (SwiftShader here); every
 *   other test runs in the `chromium` project, without it. A tag rather than a worker option,
 *   because Playwright lets a worker option change only for a whole file, and one file holds
 *   both a WASM and a WebGPU suite.
 * - `browserArgs` (option): more Chromium flags for a whole file (a worker option), e.g.
 *   `test.use({ browserArgs: ["--js-flags=--expose-gc"] })`.
 *
 * A suite that loads the model once for several tests (`test.describe.configure({ mode:
 * "serial" })`) opens its page with `openCheckedPage` in `beforeAll`, calls `noteErrorsPerTest`
 * so each test's report names the errors logged while it ran, and ends with a test that
 * asserts the page's `errors` is empty.
 */
import { test as base, expect, type Browser, type BrowserContextOptions, type Page } from "@playwright/test";
import { STATIC_URL, VIEWPORT } from "./environment.ts";

export { expect };

/** Console errors a test provokes on purpose: tested against the text and the URL it names. */
export type ExpectedErrors = RegExp;

/**
 * onnxruntime's native log goes to console.error whatever its severity, and sessions log at
 * "warning" by default: this one says shape ops were placed on the CPU under WebGPU, which is
 * by design. Only that exact warning is tolerated; any [E:onnxruntime...] line still fails.
 */
const ORT_PLACEMENT_WARNING = /\[W:onnxruntime:.*VerifyEachNodeIsAssignedToAnEp/;

/** Matches nothing. */
const NOTHING_EXPECTED: ExpectedErrors = /(?!)/;

function isExpected(expected: ExpectedErrors, text: string, url: string): boolean {
  return expected.test(text) || expected.test(url);
}

/** Appends every unexpected console error and uncaught exception of `page` to `errors`. */
export function recordErrors(page: Page, errors: string[], expected: ExpectedErrors = NOTHING_EXPECTED): void {
  // Worker console messages reach the page's console event too, with worker() set.
  page.on("console", (message) => {
    const text = message.text();
    if (message.type() === "error" && !ORT_PLACEMENT_WARNING.test(text) && !isExpected(expected, text, message.location().url)) {
      errors.push(`${message.worker() ? "worker " : ""}console: ${text} (${message.location().url})`);
    }
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
}

export interface CheckedPage {
  page: Page;
  /** Console errors and uncaught exceptions seen so far (worker ones included). */
  errors: string[];
}

export interface CheckedPageOptions extends BrowserContextOptions {
  expectedErrors?: ExpectedErrors;
}

/**
 * Opens `url` in a new context of `browser` with errors recorded from the start, for a page
 * that outlives one test (opened in beforeAll). The options are the context's (`baseURL`, from
 * the fixture of that name, resolves "/"), plus the errors to tolerate. Closing the browser
 * closes it.
 */
export async function openCheckedPage(browser: Browser, url: string, options: CheckedPageOptions = {}): Promise<CheckedPage> {
  const { expectedErrors, ...contextOptions } = options;
  const context = await browser.newContext({ viewport: VIEWPORT, ...contextOptions });
  const page = await context.newPage();
  const errors: string[] = [];
  recordErrors(page, errors, expectedErrors);
  await page.goto(url);
  return { page, errors };
}

/**
 * For a serial suite on a shared page: after each test, the errors logged while it ran are
 * added to its report as an annotation. The suite's last test fails on them; failing the test
 * here would skip the rest of the serial suite.
 */
export function noteErrorsPerTest(checked: () => CheckedPage | undefined): void {
  let noted = 0;
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a hook's fixtures from this pattern; it needs none.
  test.afterEach(({}, testInfo) => {
    const errors = checked()?.errors ?? [];
    for (const error of errors.slice(noted)) testInfo.annotations.push({ type: "console error", description: error });
    noted = errors.length;
  });
}

/**
 * The usual shared page of a serial suite: opened at `url` in beforeAll (with the baseURL
 * fixture, so "/" resolves), closed in afterAll, its errors noted per test. The returned object
 * is filled in by beforeAll, so tests read `checked.page` as from openCheckedPage. Suites that
 * set more up around the page (servers, listeners) open it themselves.
 */
export function sharedCheckedPage(url: string, options: CheckedPageOptions = {}): CheckedPage {
  const checked = {} as CheckedPage;
  test.beforeAll(async ({ browser, baseURL }) => {
    Object.assign(checked, await openCheckedPage(browser, url, { baseURL, ...options }));
  });
  test.afterAll(async () => {
    await checked.page?.context().close();
  });
  noteErrorsPerTest(() => checked);
  return checked;
}

interface TestFixtures {
  expectedErrors: ExpectedErrors;
  consoleErrors: string[];
  staticURL: string;
}

interface WorkerFixtures {
  browserArgs: string[];
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  browserArgs: [[], { scope: "worker", option: true }],
  // The project's launchOptions (Debian's Chromium, headless flags, WebGPU's) plus the file's flags.
  browser: [
    async ({ playwright, launchOptions, browserArgs }, use) => {
      const browser = await playwright.chromium.launch({ args: [...(launchOptions.args ?? []), ...browserArgs] });
      await use(browser);
      await browser.close();
    },
    { scope: "worker", timeout: 0 },
  ],
  expectedErrors: [NOTHING_EXPECTED, { option: true }],
  staticURL: [STATIC_URL, { option: true }],
  consoleErrors: async ({ context, expectedErrors }, use) => {
    const errors: string[] = [];
    for (const page of context.pages()) recordErrors(page, errors, expectedErrors);
    context.on("page", (page) => recordErrors(page, errors, expectedErrors));
    await use(errors);
    expect(errors, "console errors and uncaught exceptions during the test").toEqual([]);
  },
  // The built-in page, with errors recorded (and checked) by consoleErrors.
  page: async ({ page, consoleErrors }, use) => {
    void consoleErrors;
    await use(page);
  },
});
