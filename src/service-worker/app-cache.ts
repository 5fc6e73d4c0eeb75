/**
 * The service worker's rules, as pure functions over URLs and Responses so they are tested in
 * Node: which cache holds which deploy, which requests it answers, and the COOP/COEP headers it
 * adds when the host sends none (the coi-serviceworker approach: a response re-served with
 * these headers makes the page cross-origin isolated, so onnxruntime's WASM may use threads).
 */

/** What the build writes into the worker: the deploy's files, relative to the worker's scope, and their content hash. */
export interface PrecacheManifest {
  version: string;
  files: string[];
}

/** Every deploy gets its own cache; the model's cache (workers/cached-files.ts) has another prefix and is never touched here. */
export const APP_CACHE_PREFIX = "dllm-app-";

export function appCacheName(version: string): string {
  return `${APP_CACHE_PREFIX}${version}`;
}

/** The caches of earlier deploys, deleted when this one activates. */
export function staleAppCaches(names: readonly string[], current: string): string[] {
  return names.filter((name) => name.startsWith(APP_CACHE_PREFIX) && name !== current);
}

/**
 * The precache entry a request is for: its URL without query or fragment (the page's settings
 * live in its query), a folder standing for its index.html.
 */
export function precacheKey(url: string): string {
  const key = new URL(url);
  key.search = "";
  key.hash = "";
  if (key.pathname.endsWith("/")) key.pathname += "index.html";
  return key.href;
}

/** Set on responses whose COOP/COEP came from the service worker, so the page can say which case it is in. */
export const ISOLATION_SOURCE_HEADER = "x-dllm-isolation";
export const SUPPLIED_BY_WORKER = "service-worker";

const ISOLATION_HEADERS = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
} as const;

/** Statuses whose responses may not carry a body (the Response constructor throws otherwise). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * The response as the page gets it: unchanged when the host already sent COEP (its own policy
 * wins) or when it is opaque (its headers cannot be read or set); else re-served with COOP/COEP
 * and the marker header.
 */
export function withIsolationHeaders(response: Response): Response {
  if (response.type === "opaque" || response.type === "opaqueredirect" || response.status === 0) return response;
  if (response.headers.has("cross-origin-embedder-policy")) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  headers.set(ISOLATION_SOURCE_HEADER, SUPPLIED_BY_WORKER);
  return new Response(NULL_BODY.has(response.status) ? null : response.body, { status: response.status, statusText: response.statusText, headers });
}

export type Route = "navigation" | "precached" | "uncached-code" | "network";

/**
 * Code the page runs that this worker's list lacks: a newer deploy's scripts while the page is
 * still served by the older worker. A worker script without COEP would be refused by a page
 * that has it, so these get the headers too, fresh from the network.
 */
const CODE_DESTINATIONS = new Set(["script", "worker", "sharedworker", "style"]);

/**
 * How the worker answers a request: a page from the network, else its cached copy; a file of
 * the deploy from the cache; other code of its origin from the network with COOP/COEP;
 * anything else (model files, other origins, ranges, non-GET) is left to the browser, unseen:
 * the model has its own cache, and files of other origins are never stored here.
 */
export function routeOf(
  request: { method: string; url: string; mode: string; destination: string; headers: Headers },
  scopeOrigin: string,
  precached: ReadonlySet<string>,
): Route {
  if (request.method !== "GET" || request.headers.has("range")) return "network";
  if (new URL(request.url).origin !== scopeOrigin) return "network";
  if (request.mode === "navigate") return "navigation";
  if (precached.has(precacheKey(request.url))) return "precached";
  return CODE_DESTINATIONS.has(request.destination) ? "uncached-code" : "network";
}
