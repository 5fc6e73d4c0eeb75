/**
 * Drives the page through its controls, as a user would, and reads back what it shows.
 * Selectors and data attributes used here are the page's test surface (see src/web/).
 */
import type { Page } from "@playwright/test";

/** Loading a 16 MB model and compiling onnxruntime's WASM takes a while on two busy cores. */
export const LOAD_TIMEOUT = 120_000;
export const RUN_TIMEOUT = 180_000;

export type Backend = "webgpu" | "wasm";

export async function waitForModel(page: Page, backend: Backend): Promise<void> {
  await page.waitForSelector(`#backend[data-backend="${backend}"]`, { state: "attached", timeout: LOAD_TIMEOUT });
}

/** Loads a folder URL or repo id through the picker's "other" entry ("" dtype: the folder's default). */
export async function loadModel(page: Page, url: string, backend: "auto" | Backend = "auto", dtype = ""): Promise<void> {
  await page.selectOption("#model-choice", "other");
  await page.fill("#model-url", url);
  await page.selectOption("#model-dtype", dtype);
  await page.selectOption("#backend-choice", backend);
  await page.click("#load");
}

/** Sets generation controls by field name (the names of GenerateOptions). */
export async function setOptions(page: Page, options: Record<string, string | number>): Promise<void> {
  // The less used fields sit in a folded <details>; a user opens it to reach them.
  await page.$$eval("#controls details", (folds) => {
    for (const fold of folds) (fold as HTMLDetailsElement).open = true;
  });
  // The decoder first: it decides which fields are enabled.
  if (options.decoder !== undefined) await page.selectOption('#controls [name="decoder"]', String(options.decoder));
  for (const [name, value] of Object.entries(options)) {
    if (name === "decoder") continue;
    const selector = `#controls [name="${name}"]`;
    const tag = await page.$eval(selector, (node) => node.tagName);
    if (tag === "SELECT") await page.selectOption(selector, String(value));
    else await page.fill(selector, String(value));
  }
}

export async function setPrompt(page: Page, prompt: string): Promise<void> {
  await page.fill("#prompt", prompt);
}

/** Clicks a run button and waits until the view shows the new run (or the page reports an error). */
export async function startRun(page: Page, button = "#generate", view = "#live"): Promise<void> {
  const previous = (await page.getAttribute(view, "data-run")) ?? "0";
  await page.click(button);
  await page.waitForFunction(
    ([selector, before]) =>
      (document.querySelector<HTMLElement>(selector!)?.dataset.run ?? "0") !== before || (document.querySelector("#run-error")?.textContent ?? "") !== "",
    [view, previous],
    { timeout: RUN_TIMEOUT, polling: 50 },
  );
  const error = await page.textContent("#run-error");
  if (error) throw new Error(`the run did not start: ${error}`);
}

export type RunStatus = "running" | "done" | "stopped" | "error";

export async function waitForRunEnd(page: Page, view = "#live"): Promise<RunStatus> {
  await page.waitForFunction(
    (selector) => ["done", "stopped", "error"].includes(document.querySelector<HTMLElement>(selector)?.dataset.status ?? ""),
    view,
    { timeout: RUN_TIMEOUT, polling: 100 },
  );
  return (await page.getAttribute(view, "data-status")) as RunStatus;
}

export interface RunOutcome {
  status: RunStatus;
  steps: number;
  nfe: number;
  text: string;
  tokens: number[];
  stopReason: string;
}

export async function readRun(page: Page, view = "#live"): Promise<RunOutcome> {
  return page.$eval(view, (root) => {
    const element = root as HTMLElement;
    const output = element.querySelector<HTMLElement>(".output")!;
    const nfe = element.querySelector<HTMLElement>('[data-stat="NFE"]')?.textContent ?? "0";
    return {
      status: element.dataset.status as RunStatus,
      steps: Number(element.dataset.steps),
      nfe: Number(nfe),
      text: output.textContent ?? "",
      tokens: output.dataset.tokens ? output.dataset.tokens.split(",").map(Number) : [],
      stopReason: output.dataset.stopReason ?? "",
    };
  });
}

export interface Observation {
  rows: number;
  boundaries: number;
  blockCells: number;
}

/**
 * Records, on every redraw of the live view while its run is still going, how many heat-map
 * rows, past block boundaries and current-block cells are on screen. Timing-proof: a fast
 * run cannot slip between two polls.
 */
export async function observeLiveRun(page: Page): Promise<void> {
  await page.evaluate(() => {
    const live = document.querySelector<HTMLElement>("#live")!;
    const seen: Observation[] = [];
    (globalThis as unknown as { liveObservations: Observation[] }).liveObservations = seen;
    new MutationObserver(() => {
      if (live.dataset.status !== "running") return;
      seen.push({
        rows: Number(live.querySelector<HTMLCanvasElement>("canvas.heatmap")?.dataset.rows ?? 0),
        boundaries: live.querySelectorAll(".cell.boundary").length,
        blockCells: live.querySelectorAll(".cell.in-block").length,
      });
    }).observe(live, { attributes: true, subtree: true, attributeFilter: ["data-steps"] });
  });
}

export async function liveObservations(page: Page): Promise<Observation[]> {
  return page.evaluate(() => (globalThis as unknown as { liveObservations: Observation[] }).liveObservations);
}
