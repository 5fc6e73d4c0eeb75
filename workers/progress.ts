/**
 * Download progress as a person reads it: bytes, a smoothed rate and the time left, per file.
 * Progress arrives once per network chunk (hundreds per file); the page needs a few updates a
 * second, so `throttleProgress` thins it. Each file's first and last report, and every report
 * that carries a note, always pass, so bars start and finish and nothing said is dropped.
 */
import type { FileProgress } from "../src/model/model-folder.ts";

/** FileProgress plus what a large download needs; `file` is any path of the folder. */
export interface DownloadProgress extends Omit<FileProgress, "file"> {
  file: string;
  /** Bytes per second over the last few seconds; undefined until a second of data has arrived. */
  rate?: number;
  /** Seconds left at `rate`; undefined while the rate or the total is unknown. */
  etaSeconds?: number;
  /** Something the user should read about this file: resumed, started over, connection lost. */
  note?: string;
}

/** Time constant of the rate's exponential smoothing: about the last few seconds count. */
const SMOOTHING_SECONDS = 3;
/** Samples closer together than this are merged, so one fast chunk does not swing the rate. */
const MIN_SAMPLE_SECONDS = 0.25;

/**
 * A smoothed transfer rate: an exponentially weighted average of the rate between samples,
 * weighted by how long each interval lasted, so a stall pulls it down and a burst up, gradually.
 */
export class RateMeter {
  private lastTime: number | undefined;
  private lastBytes = 0;
  private smoothed: number | undefined;

  /** `now` in milliseconds (performance.now by default; tests pass a fake clock). */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Records that `bytes` (a running count, which may start above 0 after a resume) have arrived. */
  sample(bytes: number): void {
    const time = this.now() / 1000;
    if (this.lastTime === undefined) {
      this.lastTime = time;
      this.lastBytes = bytes;
      return;
    }
    const seconds = time - this.lastTime;
    if (seconds < MIN_SAMPLE_SECONDS) return;
    const instant = Math.max(0, bytes - this.lastBytes) / seconds;
    const weight = 1 - Math.exp(-seconds / SMOOTHING_SECONDS);
    this.smoothed = this.smoothed === undefined ? instant : this.smoothed + weight * (instant - this.smoothed);
    this.lastTime = time;
    this.lastBytes = bytes;
  }

  /** Bytes per second, or undefined before two samples far enough apart. */
  get rate(): number | undefined {
    return this.smoothed;
  }

  /** Seconds until `total` at the current rate; 0 when done, undefined when unknown. */
  etaSeconds(loaded: number, total: number | undefined): number | undefined {
    if (total === undefined) return undefined;
    if (loaded >= total) return 0;
    return this.smoothed ? (total - loaded) / this.smoothed : undefined;
  }
}

type Progress = Pick<DownloadProgress, "file" | "loaded" | "total"> & { note?: string };

export function throttleProgress<P extends Progress = DownloadProgress>(report: (progress: P) => void, intervalMs = 100): (progress: P) => void {
  const lastSent = new Map<string, number>();
  return (progress) => {
    const now = performance.now();
    const last = lastSent.get(progress.file);
    const finished = progress.total !== undefined && progress.loaded >= progress.total;
    if (last === undefined || finished || progress.note !== undefined || now - last >= intervalMs) {
      lastSent.set(progress.file, now);
      report(progress);
    }
  };
}

/** "12.3 MB of 1.4 GB, 8.1 MB/s, 2 min 51 s left": one line for a status bar or a log. */
export function describeProgress(progress: DownloadProgress): string {
  const parts = [progress.total === undefined ? formatMB(progress.loaded) : `${formatMB(progress.loaded)} of ${formatMB(progress.total)}`];
  if (progress.fromCache) parts.push("from cache");
  if (progress.rate !== undefined && !progress.fromCache) parts.push(`${formatMB(progress.rate)}/s`);
  if (progress.etaSeconds !== undefined && progress.etaSeconds > 0) parts.push(`${formatSeconds(progress.etaSeconds)} left`);
  return `${progress.file}: ${parts.join(", ")}`;
}

function formatMB(bytes: number): string {
  if (bytes < 1e6) return `${Math.round(bytes / 1e3)} kB`;
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${Math.floor(seconds % 60)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
