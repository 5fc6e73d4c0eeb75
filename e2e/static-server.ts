/**
 * dist/ from a plain static host: no COOP/COEP, like a GitHub Pages-style deployment, so the
 * page is not cross-origin isolated. Started by playwright.config.ts's webServer:
 * `tsx e2e/static-server.ts <port> [build folder]` (default dist/).
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve } from "node:path";

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error(`usage: tsx e2e/static-server.ts <port> [build folder], got ${JSON.stringify(process.argv[2])}`);
const DIST = resolve(process.argv[3] ?? resolve(import.meta.dirname, "..", "dist"));
if (!existsSync(join(DIST, "index.html"))) throw new Error(`no production build in ${DIST}: run \`npm run build\` first`);

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};

createServer((request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname));
  let file = join(DIST, path);
  if (!file.startsWith(DIST)) return void response.writeHead(403).end();
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
  if (!existsSync(file)) return void response.writeHead(404).end();
  response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "content-length": statSync(file).size });
  createReadStream(file).pipe(response);
}).listen(port, "127.0.0.1", () => console.log(`static server: ${DIST} on http://127.0.0.1:${port}/`));
