/**
 * Download progress arrives once per network chunk (hundreds per file); the page needs a few
 * updates a second. Each file's first and last report always pass, so bars start and finish.
 */
import type { FileProgress } from "../src/model/model-folder.ts";

export function throttleProgress(report: (progress: FileProgress) => void, intervalMs = 100): (progress: FileProgress) => void {
  const lastSent = new Map<string, number>();
  return (progress) => {
    const now = performance.now();
    const last = lastSent.get(progress.file);
    const finished = progress.total !== undefined && progress.loaded >= progress.total;
    if (last === undefined || finished || now - last >= intervalMs) {
      lastSent.set(progress.file, now);
      report(progress);
    }
  };
}
