/**
 * Invariants every run must satisfy, whatever the decoder and model; tests and the property
 * test assert that this returns no violations.
 */
import type { GenerateResult, StepEvent } from "./types.ts";

export function runViolations(events: readonly StepEvent[], result: GenerateResult, genLength: number, eosId: number): string[] {
  const problems: string[] = [];
  const start = result.promptLength;
  const end = start + genLength;
  if (result.nfe !== events.length) problems.push(`nfe ${result.nfe} != ${events.length} events`);
  const committedAt = new Map<number, number>();
  events.forEach((event, i) => {
    if (event.step !== i || event.nfe !== i + 1) problems.push(`event ${i} has step ${event.step}, nfe ${event.nfe}`);
    if (event.committed.positions.length === 0) problems.push(`pass ${i} committed nothing`);
    event.committed.positions.forEach((position, k) => {
      if (committedAt.has(position)) problems.push(`position ${position} committed twice`);
      if (position < event.block[0] || position >= event.block[1]) problems.push(`position ${position} committed outside block ${event.block}`);
      committedAt.set(position, event.committed.tokenIds[k]!);
    });
    for (const position of event.masked.positions) {
      if (committedAt.has(position)) problems.push(`position ${position} listed as masked after its commit`);
    }
    if (event.masked.positions.length + committedAt.size !== genLength) {
      problems.push(`pass ${i}: ${event.masked.positions.length} masked + ${committedAt.size} committed != ${genLength}`);
    }
  });
  // Committed tokens never change: the result holds exactly what was committed.
  result.tokens.forEach((token, i) => {
    if (committedAt.has(start + i) && committedAt.get(start + i) !== token) problems.push(`position ${start + i} changed after commit`);
  });
  const eosAt = [...committedAt.entries()].filter(([, id]) => id === eosId).map(([p]) => p).sort((a, b) => a - b)[0];
  const mustCover = result.stopReason === "length" ? end : result.stopReason === "eos" ? (eosAt ?? -1) + 1 : start;
  for (let p = start; p < mustCover; p++) if (!committedAt.has(p)) problems.push(`position ${p} never committed (stop: ${result.stopReason})`);
  if (result.stopReason === "eos" && eosAt === undefined) problems.push("stopped for eos without an eos");
  result.blocks.forEach(([s, e], i) => {
    const expectedStart = i === 0 ? start : result.blocks[i - 1]![1];
    if (s !== expectedStart || e <= s || e > end) problems.push(`block ${i} [${s}, ${e}) does not tile from ${expectedStart}`);
  });
  if (result.stopReason === "length" && result.blocks.at(-1)?.[1] !== end) problems.push(`blocks do not reach ${end}`);
  return problems;
}
