/**
 * Static safety checks of the code that runs in the page: generated text and token strings
 * reach the DOM only as text (no HTML sinks), and only the model loader talks to the network.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|html)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** What the page and its worker are built from; src/node/ is Node-only. */
const PAGE_SOURCES = [...sources("src"), ...sources("workers"), "index.html", "eval.html"].filter((file) => !file.startsWith("src/node/"));

const HTML_SINKS = /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|createContextualFragment|\bsrcdoc\b|DOMParser/;
/**
 * The evaluation page draws its plot from numbers and fixed setting names (src/eval/plot.ts), and
 * the band chart parses the SVG src/web/band-svg.ts writes from confidences and fixed labels
 * (escaped), as XML; neither ever holds model text.
 */
const HTML_ALLOWED = new Set(["src/eval-page/view.ts", "src/web/band-chart.ts"]);

const NETWORK = /\bfetch\b|XMLHttpRequest|sendBeacon|WebSocket|EventSource|importScripts/;
/**
 * The model folder fetch the user asked for (and its Cache Storage version check); the service
 * worker, which passes the app's own requests through; the page reading its own file's headers
 * (who supplied cross-origin isolation).
 */
const NETWORK_ALLOWED = new Set(["src/model/model-folder.ts", "workers/cached-files.ts", "src/service-worker/sw.ts", "src/web/offline.ts"]);

describe("page code safety", () => {
  it("scans the page's sources", () => {
    expect(PAGE_SOURCES).toContain("src/web/token-row.ts");
    expect(PAGE_SOURCES).toContain("workers/engine.worker.ts");
  });

  it("never assigns HTML: text goes in through textContent", () => {
    const offenders = PAGE_SOURCES.filter((file) => !HTML_ALLOWED.has(file) && HTML_SINKS.test(readFileSync(join(ROOT, file), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("the one HTML sink takes a plot of numbers, not model text", () => {
    const view = readFileSync(join(ROOT, "src/eval-page/view.ts"), "utf8");
    expect(view.match(/innerHTML\s*=\s*(.*);/g)).toEqual(["innerHTML = accuracyVsNfeSvg(cells);"]);
  });

  it("the band chart's one sink parses SVG as XML, from band-svg.ts", () => {
    const chart = readFileSync(join(ROOT, "src/web/band-chart.ts"), "utf8");
    expect(chart.match(/new DOMParser\(\)\.parseFromString\([^)]*\)/g)).toEqual(['new DOMParser().parseFromString(svg, "image/svg+xml")']);
    expect(chart.match(/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML/g)).toBeNull();
  });

  it("talks to the network only for the model and the app's own files", () => {
    const offenders = PAGE_SOURCES.filter((file) => !NETWORK_ALLOWED.has(file) && NETWORK.test(readFileSync(join(ROOT, file), "utf8")));
    expect(offenders).toEqual([]);
  });
});
