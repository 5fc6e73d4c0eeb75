/**
 * A text progress bar with an ETA, shared by the CLI (stderr) and the browser panel. The ETA
 * assumes the remaining generations cost what the finished ones did on average.
 */

/** 75_000 -> "1m15s"; 3_725_000 -> "1h02m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

export function etaMs(done: number, total: number, elapsedMs: number): number {
  if (done <= 0) return Number.NaN;
  return (elapsedMs / done) * Math.max(0, total - done);
}

/** "[##########----------] 120/240  50%  elapsed 1m00s  ETA 1m00s" */
export function progressLine(done: number, total: number, elapsedMs: number, width = 24): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * width);
  const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
  const percent = `${Math.floor(100 * fraction)}%`.padStart(4);
  return `${bar} ${done}/${total} ${percent}  elapsed ${formatDuration(elapsedMs)}  ETA ${formatDuration(etaMs(done, total, elapsedMs))}`;
}
