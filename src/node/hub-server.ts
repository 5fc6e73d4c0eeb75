/**
 * A local Hugging Face hub on 127.0.0.1: the folders `<root>/<owner>/<name>/` served as
 * huggingface.co serves model repos, for the parts a client uses.
 *
 *   GET|HEAD /<owner>/<name>/resolve/main/<path>    the file: Content-Length, ETag (the file's
 *       SHA-256, as the hub gives for LFS files), Accept-Ranges, single `Range` requests (206 +
 *       Content-Range; 416 out of range), If-Range, If-None-Match (304); 404 as JSON with X-Error-Code
 *   GET /api/models/<owner>/<name>/tree/main[/<dir>][?recursive=true]
 *       a JSON array of { type: "file" | "directory", oid, size, path }
 *
 * Every answer carries CORS (`Access-Control-Allow-Origin: *`, the headers a client reads
 * exposed, preflights answered) and `Cross-Origin-Resource-Policy: cross-origin`, so a
 * cross-origin-isolated page (COEP require-corp) can read it. For tests: a byte-rate limit, a
 * "cut the connection after N bytes of this file, once" fault, and a log of every request.
 *
 * CLI: `tsx src/node/hub-server.ts --root DIR [--port N] [--rate BYTES_PER_SECOND]`.
 */
import { createHash } from "node:crypto";
import { createReadStream, type Stats } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

export interface CutFault {
  /** The file as `<owner>/<name>/<path>`, e.g. "test/big/onnx/model.onnx.data". */
  file: string;
  /** Body bytes of the response sent before the connection is destroyed. */
  afterBytes: number;
}

export interface HubServerOptions {
  /** Holds `<owner>/<name>/` folders. */
  root: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Limits each response body to about this many bytes per second. */
  bytesPerSecond?: number;
  /** Connections to cut, each once. */
  cuts?: readonly CutFault[];
}

export interface HubRequest {
  method: string;
  /** The URL path, decoded. */
  path: string;
  /** The Range header, or null. */
  range: string | null;
  status: number;
  /** Body bytes sent (fewer than asked when the connection was cut or the client left). */
  bytesSent: number;
}

export interface HubServer {
  /** The hub's base URL, no trailing slash (for hubUrl / DLLM_HUB_URL). */
  url: string;
  /** Every request so far, in arrival order. */
  readonly requests: readonly HubRequest[];
  /** Adds a fault: the next GET of `file` is cut after `afterBytes` body bytes. */
  cutOnce(file: string, afterBytes: number): void;
  close(): Promise<void>;
}

const EXPOSED = ["Content-Length", "Content-Range", "Accept-Ranges", "ETag", "X-Repo-Commit", "X-Error-Code", "X-Error-Message", "X-Linked-Size", "X-Linked-ETag"];
const TYPES: Record<string, string> = {
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".jinja": "text/plain; charset=utf-8",
};

const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers": EXPOSED.join(", "),
  "cross-origin-resource-policy": "cross-origin",
};

type Range = { start: number; end: number } | "unsatisfiable" | null;

/**
 * One `bytes=` range of a file of `size` bytes: null when the header is absent or not one we
 * honour (several ranges, malformed: the whole file is sent, as RFC 9110 allows).
 */
export function parseRange(header: string | undefined, size: number): Range {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? "");
  if (!match || (match[1] === "" && match[2] === "")) return null;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    return suffix === 0 || size === 0 ? "unsatisfiable" : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== "" && Number(match[2]) < start) return null;
  return start >= size ? "unsatisfiable" : { start, end };
}

/** SHA-256 of each file, kept while its size and modification time stay the same. */
function hasher() {
  const known = new Map<string, { key: string; hash: Promise<string> }>();
  return (file: string, stats: Stats): Promise<string> => {
    const key = `${stats.size}:${stats.mtimeMs}`;
    const hit = known.get(file);
    if (hit?.key === key) return hit.hash;
    const hash = new Promise<string>((done, fail) => {
      const digest = createHash("sha256");
      createReadStream(file)
        .on("data", (chunk) => digest.update(chunk))
        .on("end", () => done(digest.digest("hex")))
        .on("error", fail);
    });
    known.set(file, { key, hash });
    hash.catch(() => known.delete(file));
    return hash;
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown, errorCode?: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...CORS_HEADERS,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...(errorCode ? { "x-error-code": errorCode, "x-error-message": (body as { error: string }).error } : {}),
  });
  response.end(response.req.method === "HEAD" ? undefined : text);
}

/** A path inside `base`, or null when `parts` would leave it. */
function inside(base: string, path: string): string | null {
  const full = resolve(base, path);
  return full === base || full.startsWith(base + sep) ? full : null;
}

async function statOrNull(path: string): Promise<Stats | null> {
  return stat(path).catch(() => null);
}

/** Resolves when the response can take more data, or has closed (the client left, or a cut). */
function drained(response: ServerResponse): Promise<void> {
  return new Promise((done) => {
    const finish = () => {
      response.off("drain", finish);
      response.off("close", finish);
      done();
    };
    response.on("drain", finish);
    response.on("close", finish);
  });
}

export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  const root = resolve(options.root);
  const requests: HubRequest[] = [];
  const cuts: CutFault[] = [...(options.cuts ?? [])];
  const sha256 = hasher();

  async function serveFile(request: IncomingMessage, response: ServerResponse, log: HubRequest, repo: string, path: string): Promise<void> {
    const repoDir = inside(root, repo);
    if (!repoDir || !(await statOrNull(repoDir))?.isDirectory()) return sendJson(response, 404, { error: "Repository not found" }, "RepoNotFound");
    const file = inside(repoDir, path);
    const stats = file ? await statOrNull(file) : null;
    if (!file || !stats?.isFile()) return sendJson(response, 404, { error: "Entry not found" }, "EntryNotFound");
    const etag = `"${await sha256(file, stats)}"`;
    const name = path.split("/").at(-1)!;
    const headers: Record<string, string | number> = {
      ...CORS_HEADERS,
      "content-type": TYPES[extname(name)] ?? "application/octet-stream",
      "accept-ranges": "bytes",
      etag,
      "x-repo-commit": createHash("sha1").update(repo).digest("hex"),
      "content-disposition": `inline; filename*=UTF-8''${encodeURIComponent(name)}; filename="${name.replace(/"/g, "")}";`,
    };
    if (request.headers["if-none-match"] === etag) {
      log.status = 304;
      return void response.writeHead(304, headers).end();
    }
    const ifRange = request.headers["if-range"];
    const range = ifRange === undefined || ifRange === etag ? parseRange(request.headers.range, stats.size) : null;
    if (range === "unsatisfiable") {
      log.status = 416;
      return sendJson(response, 416, { error: `Range not satisfiable for a file of ${stats.size} bytes` });
    }
    const { start, end } = range ?? { start: 0, end: stats.size - 1 };
    if (range) headers["content-range"] = `bytes ${start}-${end}/${stats.size}`;
    headers["content-length"] = end - start + 1;
    log.status = range ? 206 : 200;
    response.writeHead(log.status, headers);
    if (request.method === "HEAD" || end < start) return void response.end();

    const cutIndex = cuts.findIndex((cut) => cut.file === `${repo}/${path}`);
    const cutAt = cutIndex >= 0 ? cuts.splice(cutIndex, 1)[0]!.afterBytes : Infinity;
    const started = performance.now();
    const stream = createReadStream(file, { start, end, highWaterMark: 64 * 1024 });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (response.destroyed) break;
        const piece = log.bytesSent + chunk.byteLength >= cutAt ? chunk.subarray(0, cutAt - log.bytesSent) : chunk;
        log.bytesSent += piece.byteLength;
        if (piece !== chunk) {
          // Flush what the fault lets through, then drop the connection mid-body.
          await new Promise<void>((done) => response.write(piece, () => done()));
          response.socket?.destroy();
          break;
        }
        if (!response.write(piece)) await drained(response);
        if (options.bytesPerSecond) {
          const ahead = (log.bytesSent / options.bytesPerSecond) * 1000 - (performance.now() - started);
          if (ahead > 0) await new Promise((done) => setTimeout(done, ahead));
        }
      }
    } finally {
      stream.destroy();
    }
    if (!response.destroyed) response.end();
  }

  async function serveTree(response: ServerResponse, url: URL, repo: string, dir: string): Promise<void> {
    const repoDir = inside(root, repo);
    if (!repoDir || !(await statOrNull(repoDir))?.isDirectory()) return sendJson(response, 404, { error: "Repository not found" }, "RepoNotFound");
    const start = inside(repoDir, dir);
    if (!start || !(await statOrNull(start))?.isDirectory()) return sendJson(response, 404, { error: `Entry not found: ${dir}` }, "EntryNotFound");
    const recursive = url.searchParams.get("recursive") === "true" || url.searchParams.get("recursive") === "1";
    const entries: { type: "file" | "directory"; oid: string; size: number; path: string }[] = [];
    const walk = async (folder: string): Promise<void> => {
      const names = (await readdir(folder, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
      for (const entry of names) {
        const full = join(folder, entry.name);
        const path = relative(repoDir, full).split(sep).join("/");
        const oid = createHash("sha1").update(path).digest("hex");
        if (entry.isDirectory()) {
          entries.push({ type: "directory", oid, size: 0, path });
          if (recursive) await walk(full);
        } else if (entry.isFile()) {
          entries.push({ type: "file", oid, size: (await stat(full)).size, path });
        }
      }
    };
    await walk(start);
    sendJson(response, 200, entries);
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://hub");
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      path = url.pathname;
    }
    const log: HubRequest = { method: request.method ?? "GET", path, range: request.headers.range ?? null, status: 0, bytesSent: 0 };
    requests.push(log);
    response.on("close", () => {
      log.status ||= response.statusCode;
    });
    if (request.method === "OPTIONS") {
      log.status = 204;
      return void response
        .writeHead(204, {
          ...CORS_HEADERS,
          "access-control-allow-methods": "GET, HEAD, OPTIONS",
          "access-control-allow-headers": request.headers["access-control-request-headers"] ?? "Range, If-Range, If-None-Match, Authorization, Content-Type",
          "access-control-max-age": "86400",
        })
        .end();
    }
    if (request.method !== "GET" && request.method !== "HEAD") return sendJson(response, 405, { error: `${request.method} is not allowed` });
    const fail = (error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: (error as Error).message });
      else response.destroy();
    };
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)(?:\/(.*))?$/.exec(path);
    if (tree) {
      if (tree[2] !== "main") return sendJson(response, 404, { error: `Invalid rev id: ${tree[2]}` }, "RevisionNotFound");
      return void serveTree(response, url, tree[1]!, tree[3] ?? "").catch(fail);
    }
    const file = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (file) {
      if (file[2] !== "main") return sendJson(response, 404, { error: `Invalid rev id: ${file[2]}` }, "RevisionNotFound");
      return void serveFile(request, response, log, file[1]!, file[3]!).catch(fail);
    }
    sendJson(response, 404, { error: "Not found" });
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, "127.0.0.1", done);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    cutOnce(file, afterBytes) {
      cuts.push({ file, afterBytes });
    },
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { root: { type: "string" }, port: { type: "string", default: "0" }, rate: { type: "string" } } });
  const port = Number(values.port);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (!values.root || !Number.isInteger(port) || port < 0 || port > 65535 || (rate !== undefined && !(rate > 0))) {
    console.error("usage: tsx src/node/hub-server.ts --root DIR [--port N (0-65535)] [--rate BYTES_PER_SECOND (> 0)]");
    process.exit(2);
  }
  const hub = await startHubServer({ root: values.root, port, bytesPerSecond: rate });
  console.log(`hub: ${resolve(values.root)} at ${hub.url} (DLLM_HUB_URL=${hub.url}); e.g. ${hub.url}/<owner>/<name>/resolve/main/config.json`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) void main();
