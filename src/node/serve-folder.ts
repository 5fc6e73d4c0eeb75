/**
 * A minimal static file server on 127.0.0.1: the files of `root` (a folder's index.html for its
 * URL), 404 for anything else, and request logs so tests can see what was fetched and what was
 * missing. Optionally cross-origin isolated (COOP/COEP, for WASM threads) and readable from other
 * origins (CORS and CORP, as a model host must be for an isolated page to fetch from it). Serves
 * model folders to Node tests, the consumer test's apps and the e2e suite's plain static host.
 */
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";

export interface ServedFolder {
  /** The root URL, ending in a slash. */
  url: string;
  /** "METHOD /path" of every request so far. */
  requests: string[];
  /** "STATUS /path" of every request so far. */
  responses: string[];
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Send COOP/COEP so pages are cross-origin isolated. */
  isolated?: boolean;
  /** Let other origins read the files (CORS, and CORP for pages under COEP). */
  shared?: boolean;
  /** A fixed port (default: any free one). */
  port?: number;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".onnx": "application/octet-stream",
  ".md": "text/markdown",
};

export async function serveFolder(folder: string, options: ServeOptions = {}): Promise<ServedFolder> {
  const root = resolve(folder);
  const requests: string[] = [];
  const responses: string[] = [];
  const headers: Record<string, string> = {};
  if (options.isolated) Object.assign(headers, { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" });
  if (options.shared) Object.assign(headers, { "access-control-allow-origin": "*", "cross-origin-resource-policy": "cross-origin" });
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname));
    requests.push(`${request.method} ${path}`);
    let file = join(root, path);
    const inside = file === root || file.startsWith(root + sep);
    if (inside && statSync(file, { throwIfNoEntry: false })?.isDirectory()) file = join(file, "index.html");
    const info = inside ? statSync(file, { throwIfNoEntry: false }) : undefined;
    const found = info?.isFile() === true;
    responses.push(`${found ? 200 : 404} ${path}`);
    if (!found) return void response.writeHead(404, headers).end();
    response.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream", "content-length": info.size });
    if (request.method === "HEAD") return void response.end();
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((done) => server.listen(options.port ?? 0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    responses,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
