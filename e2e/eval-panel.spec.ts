/**
 * The evaluation page (eval.html) on the production build: it loads the shipped model into the
 * engine worker, runs every setting x B0 on a handful of problems, and fills the paper-layout
 * tables and the accuracy-vs-NFE plot while it runs; Stop ends it early with partial results.
 * Short generations keep it quick on WASM; the model may hold random weights, so only the
 * mechanics are checked, never accuracy.
 */
import assert from "node:assert/strict";
import type { Page } from "@playwright/test";
import { sharedCheckedPage, test } from "./fixtures.ts";

const SMALL = "count=2&blockSizes=4,8&genLength=16&backend=wasm";
const TIMEOUT = 300_000;

async function filledCells(page: Page): Promise<number> {
  return page.$$eval('#eval-tables table[data-metric="accuracy"] td', (cells) => cells.filter((cell) => cell.textContent !== "–").length);
}

test.describe("evaluation page", () => {
  test.describe.configure({ mode: "serial" });
  const checked = sharedCheckedPage(`eval.html?${SMALL}`);

  test("loads the model and runs every setting and B0, filling the table and plot as it goes", async () => {
    const { page } = checked;
    await page.waitForSelector('#eval-backend[data-backend="wasm"]', { state: "attached", timeout: TIMEOUT });
    // Record how many accuracy cells were filled at every progress update.
    await page.evaluate(() => {
      const seen: number[] = [];
      (globalThis as unknown as { filled: number[] }).filled = seen;
      new MutationObserver(() => {
        seen.push([...document.querySelectorAll('#eval-tables table[data-metric="accuracy"] td')].filter((cell) => cell.textContent !== "–").length);
      }).observe(document.querySelector("#eval-progress")!, { attributes: true, attributeFilter: ["data-done"] });
    });
    await page.click("#eval-run");
    await page.waitForSelector('#eval[data-status="done"], #eval[data-status="error"]', { state: "attached", timeout: TIMEOUT });
    assert.equal(await page.textContent("#eval-error"), "");
    assert.equal(await page.getAttribute("#eval-progress", "data-done"), "16");
    assert.equal(await page.getAttribute("#eval-progress", "data-total"), "16");

    const rows = await page.$$eval('#eval-tables table[data-metric="accuracy"] tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? "")));
    assert.deepEqual(rows[0], ["setting", "B0 = 4", "B0 = 8"]);
    assert.deepEqual(rows.slice(1).map((row) => row[0]), ["vanilla (tau = 1)", "threshold 0.9", "+AdaBlock", "fixed top-k"]);
    for (const row of rows.slice(1)) for (const cell of row.slice(1)) assert.match(cell, /^\d+\.\d( \([+±-]\d+\.\d\))?$/);
    for (const cell of rows[3]!.slice(1)) assert.match(cell, /\([+±-]\d+\.\d\)$/, "the AdaBlock row shows its difference to threshold");
    assert.equal(await page.locator("#eval-tables table").count(), 4);
    assert.equal(await page.locator("#eval-plot svg g[data-setting]").count(), 8);

    const filled = await page.evaluate(() => (globalThis as unknown as { filled: number[] }).filled);
    assert.ok(filled.some((n) => n > 0 && n < 8), `the table filled in step by step, saw ${filled.join(",")}`);
    assert.equal(filled.at(-1), 8);

    const json = JSON.parse((await page.textContent("#eval-json")) ?? "{}") as { partial: boolean; results: Record<string, Record<string, { problems: number; nfePerToken: number }>> };
    assert.equal(json.partial, false);
    assert.deepEqual(Object.keys(json.results), ["vanilla", "threshold", "adablock", "fixed"]);
    for (const bySize of Object.values(json.results)) {
      assert.deepEqual(Object.keys(bySize), ["4", "8"]);
      for (const figures of Object.values(bySize)) {
        assert.equal(figures.problems, 2);
        assert.ok(figures.nfePerToken > 0);
      }
    }
  });

  test("stops early on Stop and keeps the partial results", async () => {
    const { page } = checked;
    await page.fill('#eval-controls [name="count"]', "20");
    await page.click("#eval-run");
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>("#eval-progress")?.dataset.done) >= 1 && document.querySelector<HTMLElement>("#eval")?.dataset.status === "running", null, { timeout: TIMEOUT });
    await page.click("#eval-stop");
    await page.waitForSelector('#eval[data-status="stopped"]', { state: "attached", timeout: TIMEOUT });
    const done = Number(await page.getAttribute("#eval-progress", "data-done"));
    assert.ok(done >= 1 && done < 160, `stopped after ${done} of 160`);
    assert.ok((await filledCells(page)) >= 1);
    assert.equal((JSON.parse((await page.textContent("#eval-json")) ?? "{}") as { partial: boolean }).partial, true);
  });

  test("rejects a bad block size list without running", async () => {
    const { page } = checked;
    await page.fill('#eval-controls [name="blockSizes"]', "8,x");
    await page.click("#eval-run");
    await page.waitForFunction(() => (document.querySelector("#eval-error")?.textContent ?? "") !== "", null, { timeout: 10_000 });
    assert.match((await page.textContent("#eval-error")) ?? "", /blockSizes.*"x"/);
  });

  test("logged no console errors and threw nothing", () => {
    assert.deepEqual(checked.errors, []);
  });
});
