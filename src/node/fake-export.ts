/**
 * Test helper: a miniature of a real export's folder (Qwen3-style files, no weights worth the
 * name), written to disk, and a hub-style server for it. The graph is a real ONNX model
 * (`logits = Gather(embedding, input_ids)`, each token predicting `next[token]`) written by a
 * small protobuf encoder, with its embedding stored as external data when asked, so the whole
 * load path (dtype choice, external data, config derivation, chat) runs in seconds.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serveFolder } from "./serve-folder.ts";

// --- protobuf encoding (only what onnx.proto needs here) ---

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const concat = (parts: readonly (Uint8Array | number[])[]): Uint8Array => {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
};

/** Field `number` as a varint. */
export const pbInt = (number: number, value: number): Uint8Array => concat([varint(number * 8), varint(value)]);
/** Field `number` as length-delimited bytes (a string or a sub-message). */
export const pbBytes = (number: number, value: Uint8Array | string): Uint8Array => {
  const bytes = typeof value === "string" ? new TextEncoder().encode(value) : value;
  return concat([varint(number * 8 + 2), varint(bytes.length), bytes]);
};
export const pbMessage = (...fields: Uint8Array[]): Uint8Array => concat(fields);

const FLOAT = 1;
const INT64 = 7;

function valueInfo(name: string, elemType: number, dims: (number | string)[]): Uint8Array {
  const shape = pbMessage(...dims.map((d) => pbBytes(1, typeof d === "number" ? pbInt(1, d) : pbBytes(2, d))));
  const tensorType = pbMessage(pbInt(1, elemType), pbBytes(2, shape));
  return pbMessage(pbBytes(1, name), pbBytes(2, pbBytes(1, tensorType)));
}

/** An initializer whose data lives in `location` (TensorProto.external_data + data_location = EXTERNAL). */
export function externalTensor(name: string, dims: number[], location: string, offset: number, length: number): Uint8Array {
  const entry = (key: string, value: string) => pbBytes(13, pbMessage(pbBytes(1, key), pbBytes(2, value)));
  return pbMessage(
    ...dims.map((d) => pbInt(1, d)),
    pbInt(2, FLOAT),
    pbBytes(8, name),
    entry("location", location),
    entry("offset", String(offset)),
    entry("length", String(length)),
    pbInt(14, 1),
  );
}

/** A ModelProto around a graph with these initializers and nodes. */
export function modelProto(graphFields: Uint8Array[]): Uint8Array {
  const opset = pbMessage(pbBytes(1, ""), pbInt(2, 17));
  return pbMessage(pbInt(1, 8), pbBytes(8, opset), pbBytes(7, pbMessage(...graphFields)));
}

/**
 * `input_ids` int64 [batch, sequence] -> `logits` float32 [batch, sequence, vocab]: row t of the
 * embedding puts logit 8 on next[t] and 0 elsewhere. With `dataFile` the embedding is external.
 */
export function gatherGraph(next: readonly number[], vocab: number, dataFile?: string): { graph: Uint8Array; data?: Uint8Array } {
  const weights = new Float32Array(vocab * vocab);
  next.forEach((target, token) => {
    weights[token * vocab + target] = 8;
  });
  const raw = new Uint8Array(weights.buffer);
  const initializer = dataFile
    ? externalTensor("embedding", [vocab, vocab], dataFile, 0, raw.byteLength)
    : pbMessage(pbInt(1, vocab), pbInt(1, vocab), pbInt(2, FLOAT), pbBytes(8, "embedding"), pbBytes(9, raw));
  const node = pbMessage(pbBytes(1, "embedding"), pbBytes(1, "input_ids"), pbBytes(2, "logits"), pbBytes(4, "Gather"));
  const graph = modelProto([
    pbBytes(1, node),
    pbBytes(2, "fake-export"),
    pbBytes(5, initializer),
    pbBytes(11, valueInfo("input_ids", INT64, ["batch", "sequence"])),
    pbBytes(12, valueInfo("logits", FLOAT, ["batch", "sequence", vocab])),
  ]);
  return dataFile ? { graph, data: raw } : { graph };
}

// --- the tokenizer: byte-level BPE, Qwen's special tokens at ids above the byte vocabulary ---

function byteAlphabet(): string[] {
  const chars: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    chars.push(String.fromCharCode(printable ? b : 256 + extra++));
  }
  return chars;
}

export const FAKE_IDS = { endoftext: 260, imStart: 261, imEnd: 262, mask: 263, think: 264, thinkEnd: 265 } as const;
/** Rows of the graph's logits: more than the tokenizer's ids, as Qwen pads 151,669 to 151,936. */
export const FAKE_GRAPH_VOCAB = 272;

export function fakeTokenizer(): { tokenizer: object; merged: Record<string, number> } {
  const vocab: Record<string, number> = {};
  byteAlphabet().forEach((char, id) => {
    vocab[char] = id;
  });
  // Merged pieces: two newlines (a second token holding a newline), "he", " the".
  const merged: Record<string, number> = { "ĊĊ": 256, "Ġt": 257, he: 258, "Ġthe": 259 };
  Object.assign(vocab, merged);
  const added = (id: number, content: string, special: boolean) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special });
  const tokenizer = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [
      added(FAKE_IDS.endoftext, "<|endoftext|>", true),
      added(FAKE_IDS.imStart, "<|im_start|>", true),
      added(FAKE_IDS.imEnd, "<|im_end|>", true),
      added(FAKE_IDS.mask, "<|mask|>", true),
      added(FAKE_IDS.think, "<think>", false),
      added(FAKE_IDS.thinkEnd, "</think>", false),
    ],
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: "",
      end_of_word_suffix: "",
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: ["Ċ Ċ", "Ġ t", "h e", "Ġt he"],
    },
  };
  return { tokenizer, merged };
}

export interface FakeExportOptions {
  /** Graphs to write: file under onnx/ -> whether its weights are external (`<file>.data`). */
  graphs: Record<string, boolean>;
  chatTemplate?: string;
  /** Extra files (path -> content). */
  extra?: Record<string, string>;
  /** config.json fields replacing the defaults (undefined removes one). */
  config?: Record<string, unknown>;
  tokenizerConfig?: Record<string, unknown>;
}

/** Writes a Qwen3-shaped folder to `dir`: the next-token table answers "<think>\n\n</think>\n\nhe he<|im_end|>" after "assistant\n". */
export function writeFakeExport(dir: string, options: FakeExportOptions): void {
  mkdirSync(join(dir, "onnx"), { recursive: true });
  const { tokenizer } = fakeTokenizer();
  // Each token predicts a fixed successor: after "\n" comes "he", after "he" the end of turn.
  const next = Array.from<unknown, number>({ length: FAKE_GRAPH_VOCAB }, () => FAKE_IDS.imEnd);
  next[byteAlphabet().indexOf("Ċ")] = 258;
  next[FAKE_IDS.mask] = 258;
  for (const [file, external] of Object.entries(options.graphs)) {
    const built = gatherGraph(next, FAKE_GRAPH_VOCAB, external ? `${file}.data` : undefined);
    writeFileSync(join(dir, "onnx", file), built.graph);
    if (built.data) writeFileSync(join(dir, "onnx", `${file}.data`), built.data);
  }
  const config: Record<string, unknown> = {
    architectures: ["Qwen3ForCausalLM"],
    model_type: "qwen3",
    vocab_size: FAKE_GRAPH_VOCAB,
    max_position_embeddings: 512,
    bos_token_id: FAKE_IDS.endoftext,
    eos_token_id: FAKE_IDS.imEnd,
    ...options.config,
  };
  const tokenizerConfig: Record<string, unknown> = {
    tokenizer_class: "Qwen2Tokenizer",
    bos_token: null,
    eos_token: "<|im_end|>",
    pad_token: "<|endoftext|>",
    mask_token: "<|mask|>",
    model_max_length: 512,
    ...(options.chatTemplate === undefined ? {} : { chat_template: options.chatTemplate }),
    ...options.tokenizerConfig,
  };
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  writeFileSync(join(dir, "generation_config.json"), JSON.stringify({ eos_token_id: [FAKE_IDS.imEnd, FAKE_IDS.endoftext] }));
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(tokenizer));
  writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(tokenizerConfig));
  for (const [path, content] of Object.entries(options.extra ?? {})) writeFileSync(join(dir, path), content);
}

export interface FakeHub {
  /** The hub's base URL (no trailing slash), for `hubUrl` / DLLM_HUB_URL. */
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/**
 * A hub on 127.0.0.1 serving `root/<owner>/<name>/` as `/<owner>/<name>/resolve/main/<file>` and
 * its onnx/ listing as `/api/models/<owner>/<name>/tree/main/onnx` (unless `listing` is false).
 */
export async function serveHub(root: string, listing = true): Promise<FakeHub> {
  const files = await serveFolder(root);
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    requests.push(`${request.method} ${path}`);
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/main\/onnx$/.exec(path);
    if (tree) {
      if (!listing) return void response.writeHead(404).end();
      const dir = join(root, tree[1]!, "onnx");
      import("node:fs").then(({ existsSync, readdirSync, statSync }) => {
        if (!existsSync(dir)) return void response.writeHead(404).end();
        const entries = readdirSync(dir).map((name) => ({ type: "file", path: `onnx/${name}`, size: statSync(join(dir, name)).size }));
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(entries));
      });
      return;
    }
    const file = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(path);
    if (!file) return void response.writeHead(404).end();
    // Like the hub, hand the file over by redirect.
    response.writeHead(302, { location: `${files.url}${file[1]}/${file[2]}` }).end();
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      await new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      });
      await files.close();
    },
  };
}
