/**
 * The additive attention mask of a block-diffusion graph (BD3LM): a query sees the keys of its
 * own block and of earlier blocks (0), never of later ones (a large negative number).
 *
 * Block ids: prompt positions lie on the absolute grid of `grid` positions, as in training.
 * The decode's blocks follow: the first one shares the id of the grid block that holds the
 * prompt's end when it starts inside it (so with blocks aligned to the grid this is exactly the
 * trained mask), every later block gets the next id, and the positions past the last block
 * (not yet scheduled, all masked) form one more block, which nothing before it sees.
 */
import type { BlockLayout } from "./forward-model.ts";

/** A large negative number rather than -Infinity: fp16 graphs cast it to -inf, fp32 ones keep it finite. */
export const BLOCKED = -1e9;

export function blockIds(length: number, layout: BlockLayout, grid: number): Int32Array {
  const { promptLength, blocks } = layout;
  const ids = new Int32Array(length);
  for (let p = 0; p < Math.min(promptLength, length); p++) ids[p] = Math.floor(p / grid);
  let id = promptLength > 0 ? Math.floor((promptLength - 1) / grid) : -1;
  let end = promptLength;
  blocks.forEach(([start, blockEnd], index) => {
    if (!(index === 0 && start % grid !== 0 && promptLength > 0)) id++;
    for (let p = start; p < Math.min(blockEnd, length); p++) ids[p] = id;
    end = blockEnd;
  });
  for (let p = end; p < length; p++) ids[p] = id + 1;
  return ids;
}

/** [length x length] row-major: row = query, column = key. */
export function blockCausalMask(length: number, layout: BlockLayout, grid: number): Float32Array {
  const ids = blockIds(length, layout, grid);
  const mask = new Float32Array(length * length);
  for (let q = 0; q < length; q++) {
    const row = q * length;
    for (let k = 0; k < length; k++) if (ids[k]! > ids[q]!) mask[row + k] = BLOCKED;
  }
  return mask;
}
