/**
 * What the model panel tells the user after a load, beyond "loaded": a WebGPU that was there
 * but failed (the page runs on WASM instead) and the Cache Storage notices of the load. A
 * browser without WebGPU at all is normal and only shown in the backend label.
 */
import type { LoadReport } from "../index.ts";

export function loadNotices(report: Pick<LoadReport, "backend" | "notices">): string[] {
  const { backend } = report;
  const gpuFailed = backend.backend === "wasm" && /failed/.test(backend.reason);
  return [...(gpuFailed ? [`WebGPU failed, running on WASM instead: ${backend.reason}`] : []), ...report.notices];
}
