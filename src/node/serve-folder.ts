/**
 * A minimal static file server on 127.0.0.1 for tests that load a model folder over HTTP: the
 * files of `root`, 404 for anything else, and a request log so tests can see what was fetched.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";

export interface ServedFolder {
  /** The root URL, ending in a slash. */
  url: string;
  /** "METHOD /path" of every request so far. */
  requests: string[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { ".json": "application/json", ".onnx": "application/octet-stream" };

export async function serveFolder(root: string): Promise<ServedFolder> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname));
    requests.push(`${request.method} ${path}`);
    const file = join(root, path);
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) return void response.writeHead(404).end();
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "content-length": statSync(file).size });
    if (request.method === "HEAD") return void response.end();
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
