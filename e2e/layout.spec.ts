/**
 * The page's layout and canvas (issue #20, items 1, 2, 5 and 7): settings beside the prompt and
 * canvas on a wide screen and below them at 390 px with no horizontal scroll; Ctrl+Enter
 * generates and Esc stops; the prompt's tokens dimmed before the generated ones; special tokens
 * as labelled chips; a cell's tooltip (hover and keyboard) giving the pass and confidence the
 * exported trace records; the heat map one row per pass, with axes and a legend.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { parseTrace, type Trace } from "../src/decoding/trace.ts";
import { displayToken } from "../src/web/token-text.ts";
import { readRun, RUN_TIMEOUT, setOptions, setPrompt, startRun, waitForModel, waitForRunEnd } from "./driver.ts";
import { sharedCheckedPage, test } from "./fixtures.ts";

const ARITHMETIC = "Question: Ben has 13 cups. He wins 4 more. He loses 1. How many cups does Ben have now?\nAnswer:\n";

async function exportTrace(page: Page, name: string): Promise<Trace> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-trace")]);
  const file = test.info().outputPath(name);
  await download.saveAs(file);
  return parseTrace(readFileSync(file, "utf8"));
}

/** How far the page scrolls sideways (0 = it fits the viewport). */
async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test.describe("layout, canvas and heat map", () => {
  test.describe.configure({ mode: "serial" });
  const checked = sharedCheckedPage("/", { viewport: { width: 1366, height: 860 } });
  let trace: Trace;

  test("wide: prompt, Generate and the canvas first, decoder settings beside them; presets set the fields", async () => {
    const { page } = checked;
    await waitForModel(page, "wasm");
    const composer = (await page.locator(".composer").boundingBox())!;
    const settings = (await page.locator(".settings").boundingBox())!;
    const live = (await page.locator("section.live").boundingBox())!;
    assert.ok(settings.x >= composer.x + composer.width, "settings sit to the right of the prompt");
    assert.ok(live.y < 860, "the canvas starts above the fold");
    assert.ok(live.y > composer.y && Math.abs(live.x - composer.x) < 1, "the canvas is under the prompt, in the same column");
    assert.ok((await page.locator("header #model-choice").count()) === 1, "the model picker is in the header");
    // Presets: each sets the decoder fields and shows as pressed; a changed field makes it custom.
    await page.click('button[data-preset="fixed"]');
    assert.equal(await page.inputValue('#controls [name="decoder"]'), "fixed");
    assert.equal(await page.inputValue('#controls [name="blockSize"]'), "32");
    assert.equal(await page.getAttribute('button[data-preset="fixed"]', "aria-pressed"), "true");
    await page.click('button[data-preset="threshold"]');
    assert.equal(await page.inputValue('#controls [name="decoder"]'), "threshold");
    assert.equal(await page.getAttribute('button[data-preset="fixed"]', "aria-pressed"), "false");
    await page.click('button[data-preset="adablock"]');
    assert.equal(await page.inputValue('#controls [name="decoder"]'), "adablock");
    assert.equal(await page.inputValue('#controls [name="delimiterThreshold"]'), "0.3");
    assert.equal(await page.getAttribute('button[data-preset="adablock"]', "aria-pressed"), "true");
    await page.fill('#controls [name="delimiterThreshold"]', "0.5");
    assert.equal(await page.getAttribute('button[data-preset="adablock"]', "aria-pressed"), "false");
    assert.equal(await page.textContent("#preset-note"), "custom setting");
  });

  test("Ctrl+Enter generates from the prompt box", async () => {
    const { page } = checked;
    await setPrompt(page, ARITHMETIC);
    await setOptions(page, { decoder: "adablock", genLength: 64, blockSize: 16, threshold: 0.9, delimiterThreshold: 0.3, temperature: 0, seed: 0 });
    const before = (await page.getAttribute("#live", "data-run")) ?? "0";
    await page.focus("#prompt");
    await page.keyboard.press("Control+Enter");
    await page.waitForFunction((previous) => (document.querySelector<HTMLElement>("#live")?.dataset.run ?? "0") !== previous, before, { timeout: RUN_TIMEOUT });
    assert.equal(await waitForRunEnd(page), "done");
    assert.equal(await page.inputValue("#prompt"), ARITHMETIC, "the shortcut adds no newline to the prompt");
    trace = await exportTrace(page, "shortcut-run.trace.jsonl");
  });

  test("the prompt's tokens are drawn dimmed, before the generated positions", async () => {
    const { page } = checked;
    const prompt = await page.$$eval("#live .cell.prompt", (cells) => cells.map((c) => ({ text: c.textContent, special: (c as HTMLElement).dataset.special ?? null })));
    assert.equal(prompt.length, trace.header.promptTokens.length, "one cell per prompt token");
    for (const [k, cell] of prompt.entries()) assert.equal(cell.text, displayToken(trace.header.promptTokens[k]!), `prompt cell ${k}`);
    // Every prompt cell comes before the first generated cell, and none of them is a generated cell.
    const order = await page.$$eval("#live .tokens .cell", (cells) => cells.map((c) => (c.classList.contains("prompt") ? "p" : "g")).join(""));
    assert.match(order, /^p+g+$/);
    assert.equal(order.replaceAll("p", "").length, trace.header.options.genLength);
    const look = await page.evaluate(() => {
      const style = (selector: string) => getComputedStyle(document.querySelector(selector)!);
      return { prompt: style("#live .cell.prompt:not(.special)").color, committed: style("#live .cell.committed:not(.special)").color };
    });
    assert.notEqual(look.prompt, look.committed, "prompt text is dimmed against committed text");
  });

  test("special tokens render as labelled chips, never as empty boxes", async () => {
    const { page } = checked;
    // The trace says which positions committed [EOS]; the canvas must show a chip at each.
    const eos = new Set<number>();
    for (const step of trace.steps) {
      step.committed.texts.forEach((text, k) => {
        if (text === "[EOS]") eos.add(step.committed.positions[k]! - trace.result.promptLength);
      });
    }
    assert.ok(eos.size > 0, "this prompt ends in [EOS] tokens at L = 64");
    const chips = await page.$$eval("#live .cell.committed.special", (cells) =>
      cells.map((c) => ({ pos: Number((c as HTMLElement).dataset.pos), name: (c as HTMLElement).dataset.special, text: c.textContent })),
    );
    assert.deepEqual(new Set(chips.filter((c) => c.name === "[EOS]").map((c) => c.pos)), eos);
    for (const chip of chips) assert.equal(chip.text, chip.name === "[EOS]" ? "EOS" : chip.text);
    // Every cell shows something visible: a chip label, text, or a whitespace mark.
    const blank = await page.$$eval("#live .tokens .cell.committed, #live .tokens .cell.prompt", (cells) => cells.filter((c) => (c.textContent ?? "").trim() === "").length);
    assert.equal(blank, 0);
    // Whitespace shows as marks in a muted span.
    assert.ok((await page.locator("#live .cell.prompt .ws").count()) > 0);
  });

  test("a cell's tooltip (keyboard and hover) gives the pass and confidence the trace records", async () => {
    const { page } = checked;
    // A position committed in the second pass or later, so "pass" is not trivially 1.
    const step = trace.steps.find((s) => s.step >= 1 && s.committed.positions.length > 0)!;
    const index = step.committed.positions[0]! - trace.result.promptLength;
    const cell = page.locator(`#live .cell[data-pos="${index}"]`);
    await cell.focus();
    const tooltip = page.locator("#live .cell-tooltip");
    await tooltip.waitFor({ state: "visible" });
    assert.equal(await tooltip.getAttribute("data-pos"), String(index));
    assert.equal(await tooltip.getAttribute("data-state"), "committed");
    assert.equal(Number(await tooltip.getAttribute("data-pass")), step.step + 1);
    assert.equal(Number(await tooltip.getAttribute("data-confidence")), step.committed.confidences[0]);
    assert.match((await tooltip.textContent()) ?? "", new RegExp(`committed in pass ${step.step + 1} with confidence ${step.committed.confidences[0]!.toFixed(3)}`));
    assert.equal(await cell.getAttribute("aria-describedby"), await tooltip.getAttribute("id"));
    // The arrow keys move focus (a roving tabindex) and the tooltip follows.
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.pos), String(index + 1));
    assert.equal(await tooltip.getAttribute("data-pos"), String(index + 1));
    assert.equal(await page.locator("#live .tokens [tabindex='0']").count(), 1, "one cell in the tab order");
    // Hovering another cell describes that one.
    await page.locator('#live .cell[data-pos="0"]').hover();
    assert.equal(await tooltip.getAttribute("data-pos"), "0");
    assert.match((await tooltip.textContent()) ?? "", /top guesses/);
  });

  test("the heat map has one row per pass, axes and a legend, and the same tooltip on hover", async () => {
    const { page } = checked;
    const run = await readRun(page);
    const canvas = page.locator("#live canvas.heatmap");
    const rows = Number(await canvas.getAttribute("data-rows"));
    assert.equal(rows, run.nfe);
    const geometry = await canvas.evaluate((c) => ({ height: (c as HTMLCanvasElement).height, width: (c as HTMLCanvasElement).width, rowPx: Number((c as HTMLElement).dataset.rowPx), shown: c.getBoundingClientRect().height }));
    assert.equal(geometry.height, rows * geometry.rowPx, "the canvas is exactly as tall as the passes");
    assert.ok(geometry.shown >= rows * 3, "rows are at least 3 px on screen");
    const yTicks = (await page.locator("#live .heat-ticks-y span").allTextContents()).map(Number);
    assert.equal(yTicks[0], 1);
    assert.ok(yTicks.every((t) => t >= 1 && t <= rows));
    const xTicks = (await page.locator("#live .heat-ticks-x span").allTextContents()).map(Number);
    assert.equal(xTicks[0], 0);
    assert.ok(xTicks.every((t) => t >= 0 && t < trace.header.options.genLength));
    assert.match((await page.textContent("#live .heat-x-label")) ?? "", /position/);
    assert.match((await page.textContent("#live .heat-y-label")) ?? "", /pass/);
    assert.match((await page.textContent("#live .heat-legend")) ?? "", /confidence.*committed in this pass.*decoded earlier/);
    // Hover the middle of the last row's first column: pass `rows`, position 0.
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width / trace.header.options.genLength / 2, box.y + box.height * (1 - 0.5 / rows));
    const tooltip = page.locator("#live .cell-tooltip");
    await tooltip.waitFor({ state: "visible" });
    assert.equal(await tooltip.getAttribute("data-pos"), "0");
    assert.match((await tooltip.textContent()) ?? "", new RegExp(`^pass ${rows}:`));
  });

  test("Esc stops a running generation", async () => {
    const { page } = checked;
    await setPrompt(page, "The old man walked into the room and");
    await setOptions(page, { decoder: "fixed", genLength: 256, blockSize: 32, steps: 256 });
    await startRun(page);
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>("#live")?.dataset.steps) >= 3, undefined, { timeout: RUN_TIMEOUT, polling: 50 });
    await page.keyboard.press("Escape");
    assert.equal(await waitForRunEnd(page), "stopped");
    const run = await readRun(page);
    assert.ok(run.nfe < 256, `stopped after ${run.nfe} of 256 passes`);
    assert.equal(await page.isDisabled("#generate"), false, "the page is usable again");
  });

  test("narrow (390 px): one column, settings after the canvas, no horizontal scroll", async () => {
    const { page } = checked;
    await page.setViewportSize({ width: 390, height: 844 });
    assert.equal(await horizontalOverflow(page), 0, "after a run (long canvas, heat map)");
    const live = (await page.locator("section.live").boundingBox())!;
    const settings = (await page.locator(".settings").boundingBox())!;
    assert.ok(settings.y > live.y, "settings follow the canvas");
    for (const selector of [".composer", "section.live", ".settings", "#compare", "#trace", "header"]) {
      const box = (await page.locator(selector).first().boundingBox())!;
      assert.ok(box.x >= 0 && box.x + box.width <= 390 + 0.5, `${selector} fits in 390 px (x ${box.x}, width ${box.width})`);
    }
    await page.reload();
    await waitForModel(page, "wasm");
    assert.equal(await horizontalOverflow(page), 0, "before a run");
  });

  test("no console errors", () => {
    assert.deepEqual(checked.errors, []);
  });
});
