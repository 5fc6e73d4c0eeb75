/**
 * dist/ from a plain static host: no COOP/COEP, like a GitHub Pages-style deployment, so the
 * page is not cross-origin isolated. Started by playwright.config.ts's webServer:
 * `tsx e2e/static-server.ts <port> [build folder]` (default dist/).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { serveFolder } from "../src/node/serve-folder.ts";

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error(`usage: tsx e2e/static-server.ts <port> [build folder], got ${JSON.stringify(process.argv[2])}`);
const DIST = resolve(process.argv[3] ?? resolve(import.meta.dirname, "..", "dist"));
if (!existsSync(join(DIST, "index.html"))) throw new Error(`no production build in ${DIST}: run \`npm run build\` first`);

const served = await serveFolder(DIST, { port });
console.log(`static server: ${DIST} on ${served.url}`);
