/**
 * A fast encoder for SentencePiece-Unigram tokenizer.json files (the shipped model's kind: no
 * normalizer, a Metaspace pre-tokenizer, a Unigram model). @huggingface/tokenizers builds a lattice
 * of node objects and clones them during Viterbi on every call, which made encoding the prompt
 * most of the engine's time outside the forward pass. This one walks a trie built once and keeps
 * the trie and the Viterbi table in typed arrays.
 *
 * It must give the library's ids token for token (training data and prompts are encoded with
 * it), so it mirrors @huggingface/tokenizers 0.2's rules, read from its source:
 * - added tokens are cut out of the text first, leftmost then longest, wherever their content
 *   appears (Tokenizer.encode_text, DictionarySplitter), and become their own id;
 * - Metaspace turns " " into "▁" and prepends "▁" to a text section unless it already starts with
 *   one; prepend scheme "first" does so only for the section at index 0 of that split, so text
 *   after a leading added token gets no "▁";
 * - a position no one-character piece covers gets an unknown node scoring the lowest piece score
 *   minus 10 (the unknown piece's own score is replaced by that too), one code point long;
 * - Viterbi keeps, for each end position, the first best path in order of start position, so a
 *   tie goes to the longest last piece; consecutive unknowns are fused into one unknown id.
 * Anything else (another normalizer or pre-tokenizer, a post-processor, byte fallback, added
 * tokens that strip spaces, BPE and WordPiece models) gets undefined: the caller keeps the library.
 */

/** Text to ids, as `Tokenizer.encode(text, { add_special_tokens: false }).ids` gives them. */
export type Encode = (text: string) => number[];

interface AddedTokenJson {
  id: number;
  content: string;
  lstrip?: boolean;
  rstrip?: boolean;
}

interface UnigramTokenizerJson {
  added_tokens?: AddedTokenJson[];
  normalizer?: unknown;
  pre_tokenizer?: { type?: string; replacement?: string; str_rep?: string; prepend_scheme?: string; split?: boolean } | null;
  post_processor?: unknown;
  model?: { type?: string; vocab?: unknown; unk_id?: unknown; byte_fallback?: boolean };
}

/**
 * The pieces as a trie over UTF-16 units, in typed arrays: node 0 is the root, and the edges
 * (parent, unit) -> child share one open-addressing table. A walk then touches a few contiguous
 * cache lines, where a Map per node scattered them over the heap: after a forward pass has
 * flushed the caches, that made encoding a prompt about a third slower.
 */
interface PieceTrie {
  /** The child of `node` by UTF-16 `unit`, or -1. */
  child(node: number, unit: number): number;
  /** Per node: the id of the piece ending there, or -1. */
  pieceId: Int32Array;
  /** Per node: that piece's score. */
  pieceScore: Float64Array;
}

function buildTrie(pieces: readonly string[], idOf: (piece: string) => number, scoreOf: (id: number) => number): PieceTrie {
  let units = 0;
  for (const piece of pieces) units += piece.length;
  // At most half full, so probes stay short. Three int32 a slot: parent (-1 = empty), unit, child.
  const mask = (1 << Math.ceil(Math.log2(2 * units + 2))) - 1;
  const edges = new Int32Array(3 * (mask + 1)).fill(-1);
  const slotOf = (parent: number, unit: number): number => {
    let slot = (Math.imul(parent, 0x9e3779b1) ^ unit) & mask;
    while (edges[3 * slot] !== -1 && (edges[3 * slot] !== parent || edges[3 * slot + 1] !== unit)) slot = (slot + 1) & mask;
    return slot;
  };
  const pieceId = new Int32Array(units + 1).fill(-1);
  const pieceScore = new Float64Array(units + 1);
  let nodes = 1;
  for (const piece of pieces) {
    let node = 0;
    for (let i = 0; i < piece.length; i++) {
      const slot = slotOf(node, piece.charCodeAt(i));
      if (edges[3 * slot] === -1) {
        edges[3 * slot] = node;
        edges[3 * slot + 1] = piece.charCodeAt(i);
        edges[3 * slot + 2] = nodes++;
      }
      node = edges[3 * slot + 2]!;
    }
    pieceId[node] = idOf(piece);
    pieceScore[node] = scoreOf(pieceId[node]!);
  }
  return {
    child: (node, unit) => {
      const slot = slotOf(node, unit);
      return edges[3 * slot] === -1 ? -1 : edges[3 * slot + 2]!;
    },
    pieceId,
    pieceScore,
  };
}

/** The library's unknown node scores this much below the lowest piece. */
const UNKNOWN_PENALTY = 10;

function isPieceList(vocab: unknown): vocab is [string, number][] {
  return (
    Array.isArray(vocab) &&
    vocab.length > 0 &&
    vocab.every((entry) => Array.isArray(entry) && typeof entry[0] === "string" && entry[0].length > 0 && Number.isFinite(entry[1]))
  );
}

/**
 * No lone surrogates: the trie matches UTF-16 units where the library matches code points, and
 * the two agree only on well-formed pieces.
 */
function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** The one-code-point width (1 or 2 UTF-16 units) at `at`; a lone surrogate counts as one. */
function codePointWidth(text: string, at: number): number {
  const unit = text.charCodeAt(at);
  if (unit < 0xd800 || unit > 0xdbff || at + 1 >= text.length) return 1;
  const low = text.charCodeAt(at + 1);
  return low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
}

/** Finds added tokens in text: alternatives longest first, so the first that matches is the longest. */
function addedTokenPattern(contents: readonly string[]): RegExp | undefined {
  if (contents.length === 0) return undefined;
  const escaped = [...new Set(contents)].sort((a, b) => b.length - a.length).map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(escaped.join("|"), "g");
}

/**
 * The fast encoder for a Unigram tokenizer.json of the supported shape, or undefined (use the
 * library). `tokenizerConfig` is tokenizer_config.json, which the library also reads while encoding.
 */
export function createUnigramEncoder(tokenizerJson: object, tokenizerConfig: object): Encode | undefined {
  const json = tokenizerJson as UnigramTokenizerJson;
  const config = tokenizerConfig as { remove_space?: unknown; do_lowercase_and_remove_accent?: unknown };
  const model = json.model;
  const pre = json.pre_tokenizer;
  if (model?.type !== "Unigram" || model.byte_fallback === true || !isPieceList(model.vocab)) return undefined;
  const vocab = model.vocab;
  const unkId = model.unk_id;
  if (typeof unkId !== "number" || !Number.isInteger(unkId) || unkId < 0 || unkId >= vocab.length) return undefined;
  if (json.normalizer !== null || json.post_processor !== null) return undefined;
  if (pre?.type !== "Metaspace" || pre.split === true) return undefined;
  const prependScheme = pre.prepend_scheme ?? "always";
  if (prependScheme !== "always" && prependScheme !== "first" && prependScheme !== "never") return undefined;
  if (config.remove_space === true || config.do_lowercase_and_remove_accent === true) return undefined;
  const added = json.added_tokens ?? [];
  if (added.some((t) => t.lstrip === true || t.rstrip === true || t.content.length === 0 || !(t.id >= 0 && t.id < vocab.length))) return undefined;
  if (!vocab.every(([piece]) => isWellFormed(piece))) return undefined;

  // Ids as the library maps a piece's text: added tokens first, then the last vocabulary entry
  // with that text. Scores by id; the unknown piece scores like an unknown character.
  const addedIds = new Map(added.map((t) => [t.content, t.id]));
  const pieceIds = new Map<string, number>();
  vocab.forEach(([piece], id) => {
    pieceIds.set(piece, id);
  });
  let lowest = vocab[0]![1];
  for (const [, score] of vocab) if (score < lowest) lowest = score;
  const unkScore = lowest - UNKNOWN_PENALTY;
  const scoreOf = (id: number): number => (id === unkId ? unkScore : vocab[id]![1]);

  const trie = buildTrie(
    vocab.map(([piece]) => piece),
    (piece) => addedIds.get(piece) ?? pieceIds.get(piece)!,
    scoreOf,
  );

  const replacement = pre.replacement ?? "\u2581";
  const spaceAs = pre.str_rep || replacement;
  const metaspace = (section: string, sectionIndex: number): string => {
    const replaced = section.replaceAll(" ", spaceAs);
    const prepend = prependScheme === "always" || (prependScheme === "first" && sectionIndex === 0);
    return prepend && !replaced.startsWith(replacement) ? spaceAs + replaced : replaced;
  };

  /** Viterbi over one pre-tokenized section, ids appended to `out`. */
  const tokenize = (text: string, out: number[]): void => {
    const n = text.length;
    // best[e]: the best path score over text[0, e); start[e], id[e]: its last piece.
    const best = new Float64Array(n + 1).fill(Number.NEGATIVE_INFINITY);
    const start = new Int32Array(n + 1);
    const id = new Int32Array(n + 1);
    best[0] = 0;
    const relax = (from: number, to: number, pieceId: number, score: number): void => {
      const candidate = best[from]! + score;
      // Strictly greater: the first candidate in start order keeps a tie.
      if (candidate > best[to]!) {
        best[to] = candidate;
        start[to] = from;
        id[to] = pieceId;
      }
    };
    for (let from = 0; from < n; ) {
      const width = codePointWidth(text, from);
      let coversOne = false;
      let node = 0;
      for (let end = from; end < n; end++) {
        node = trie.child(node, text.charCodeAt(end));
        if (node < 0) break;
        const pieceId = trie.pieceId[node]!;
        if (pieceId < 0) continue;
        if (end + 1 - from === width) coversOne = true;
        relax(from, end + 1, pieceId, trie.pieceScore[node]!);
      }
      if (!coversOne) relax(from, from + width, unkId, unkScore);
      from += width;
    }
    const ids: number[] = [];
    for (let at = n; at > 0; at = start[at]!) ids.push(id[at]!);
    // ids runs back to front: ids[i + 1] is the piece before ids[i]. An unknown after an
    // unknown joins it (the library's fuse_unk), within this section only.
    for (let i = ids.length - 1; i >= 0; i--) {
      if (ids[i] === unkId && ids[i + 1] === unkId) continue;
      out.push(ids[i]!);
    }
  };

  const pattern = addedTokenPattern(added.map((t) => t.content));
  return (text) => {
    const out: number[] = [];
    let sectionIndex = 0;
    let textFrom = 0;
    const textSection = (to: number): void => {
      if (to > textFrom) tokenize(metaspace(text.slice(textFrom, to), sectionIndex++), out);
    };
    if (pattern) {
      for (const match of text.matchAll(pattern)) {
        textSection(match.index);
        out.push(addedIds.get(match[0])!);
        sectionIndex++;
        textFrom = match.index + match[0].length;
      }
    }
    textSection(text.length);
    return out;
  };
}
