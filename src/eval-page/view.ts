/**
 * Draws the evaluation as it fills in: the paper-layout grids as HTML tables, the accuracy-vs-
 * NFE plot (the project's own SVG string), the progress line. Text goes in as textContent.
 */
import { accuracyVsNfeSvg } from "../eval/plot.ts";
import { progressLine } from "../eval/progress.ts";
import type { CellSummary, EvalProgress } from "../eval/run.ts";
import { METRIC_TITLES, METRICS, metricGrid } from "../eval/table.ts";

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

export function renderTables(container: HTMLElement, cells: readonly CellSummary[]): void {
  const tables = METRICS.map((metric) => {
    const grid = metricGrid(cells, metric);
    const table = element("table");
    table.dataset.metric = metric;
    table.append(element("caption", METRIC_TITLES[metric]));
    const head = element("tr");
    for (const title of grid.header) head.append(element("th", title));
    table.append(head);
    const blockSizes = grid.header.slice(1).map((title) => title.replace(/\D+/g, ""));
    for (const row of grid.rows) {
      const tr = element("tr");
      tr.append(element("th", row[0]));
      row.slice(1).forEach((text, i) => {
        const td = element("td", text);
        td.dataset.blockSize = blockSizes[i]!;
        tr.append(td);
      });
      table.append(tr);
    }
    return table;
  });
  container.replaceChildren(...tables);
}

export function renderPlot(figure: HTMLElement, cells: readonly CellSummary[]): void {
  // The SVG is built by plot.ts from numbers and escaped labels only.
  figure.innerHTML = accuracyVsNfeSvg(cells);
}

export function renderProgress(line: HTMLElement, progress: Pick<EvalProgress, "done" | "total" | "elapsedMs">): void {
  line.textContent = progressLine(progress.done, progress.total, progress.elapsedMs);
  line.dataset.done = String(progress.done);
  line.dataset.total = String(progress.total);
}
