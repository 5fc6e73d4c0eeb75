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
/** The evaluation page draws its plot from numbers and fixed setting names (src/eval/plot.ts), never from model text. */
const HTML_ALLOWED = new Set(["src/eval-page/view.ts"]);

const NETWORK = /\bfetch\b|XMLHttpRequest|sendBeacon|WebSocket|EventSource|importScripts/;
/** The model folder fetch the user asked for (and its Cache Storage version check). */
const NETWORK_ALLOWED = new Set(["src/model/model-folder.ts", "workers/cached-files.ts"]);

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

  it("talks to the network only to fetch the model", () => {
    const offenders = PAGE_SOURCES.filter((file) => !NETWORK_ALLOWED.has(file) && NETWORK.test(readFileSync(join(ROOT, file), "utf8")));
    expect(offenders).toEqual([]);
  });
});
