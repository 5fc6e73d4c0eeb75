/**
 * Static hosting as a consumer would have it: a folder over HTTP on 127.0.0.1, optionally
 * cross-origin isolated (COOP/COEP, for WASM threads), and optionally readable from other
 * origins (CORS and CORP, as a model host must be for an isolated page to fetch from it).
 * Every request is logged with its status, so a test can say which file was missing.
 */
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";

export interface StaticHost {
  /** The root URL, ending in a slash. */
  url: string;
  /** "STATUS /path" of every request so far. */
  log: string[];
  close(): Promise<void>;
}

export interface HostOptions {
  /** Send COOP/COEP so pages are cross-origin isolated. */
  isolated?: boolean;
  /** Let other origins read the files (CORS, and CORP for pages under COEP). */
  shared?: boolean;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".onnx": "application/octet-stream",
  ".md": "text/markdown",
};

export async function hostFolder(root: string, options: HostOptions = {}): Promise<StaticHost> {
  const log: string[] = [];
  const headers: Record<string, string> = {};
  if (options.isolated) Object.assign(headers, { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" });
  if (options.shared) Object.assign(headers, { "access-control-allow-origin": "*", "cross-origin-resource-policy": "cross-origin" });
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://host").pathname));
    let file = join(root, path);
    if (path.endsWith("/")) file = join(file, "index.html");
    const info = file.startsWith(root + sep) || file === root ? statSync(file, { throwIfNoEntry: false }) : undefined;
    const found = info?.isFile() === true;
    log.push(`${found ? 200 : 404} ${path}`);
    if (!found) return void response.writeHead(404, headers).end();
    response.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream", "content-length": info.size });
    if (request.method === "HEAD") return void response.end();
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    log,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
