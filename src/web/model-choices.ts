/**
 * The model picker's entries: each catalog model (the embedded one as it is, a hub model once
 * per variant, with its download size), then "other URL or repo id". Pure, so it is tested
 * without a page.
 */
import { CATALOG } from "../model/catalog.ts";
import type { Dtype } from "../model/model-source.ts";
import { formatBytes } from "./dom.ts";

export interface ModelChoice {
  /** The option's value: "<model id>|<dtype>" ("" = the folder's default), or "other". */
  value: string;
  label: string;
  /** What load() gets: a folder URL relative to the page, or a repo id; undefined for "other". */
  model?: string;
  dtype?: Dtype;
}

export const OTHER = "other";

export function modelChoices(): ModelChoice[] {
  const choices: ModelChoice[] = [];
  for (const entry of CATALOG) {
    if (entry.kind === "embedded") {
      choices.push({ value: `${entry.id}|`, label: entry.label, model: `./${entry.path}` });
      continue;
    }
    for (const variant of entry.variants) {
      const size = variant.bytes ? `about ${formatBytes(variant.bytes)} download` : "size unknown";
      choices.push({ value: `${entry.id}|${variant.dtype}`, label: `${entry.label.split(" (")[0]} · ${variant.dtype} · ${size}`, model: entry.id, dtype: variant.dtype });
    }
  }
  choices.push({ value: OTHER, label: "Other: a folder URL or a Hugging Face repo id…" });
  return choices;
}
