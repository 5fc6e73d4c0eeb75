/**
 * The service worker (built by src/service-worker/build-plugin.ts into dist/sw.js, one classic
 * script, with this deploy's file list compiled in). It makes the page work offline after one
 * visit and cross-origin isolated on hosts that send no COOP/COEP headers:
 * - install: every file of the deploy (HTML, JS, CSS, onnxruntime's WASM) goes into a cache
 *   named for the deploy's content hash; the new worker takes over at once;
 * - activate: the caches of earlier deploys are deleted (never the model's cache);
 * - fetch: pages come from the network (so a new deploy is seen), else from the cache when
 *   offline; the deploy's other files from the cache; both re-served with COOP/COEP when the
 *   host sent none, as is code of a newer deploy the list lacks. Model files pass through:
 *   workers/cached-files.ts keeps them.
 */
import { appCacheName, precacheKey, routeOf, staleAppCaches, withIsolationHeaders, type PrecacheManifest } from "./app-cache.ts";

declare const __DLLM_PRECACHE__: PrecacheManifest;
declare const self: ServiceWorkerGlobalScope;

const manifest = __DLLM_PRECACHE__;
const CACHE = appCacheName(manifest.version);
const scope = new URL(self.registration.scope);
const files = manifest.files.map((file) => new URL(file, scope).href);
const precached = new Set(files.map(precacheKey));

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // "reload": the deploy's own bytes, not a copy the HTTP cache kept from an older deploy.
      await cache.addAll(files.map((url) => new Request(url, { cache: "reload" })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      await Promise.all(staleAppCaches(await caches.keys(), CACHE).map((name) => caches.delete(name)));
      await self.clients.claim();
    })(),
  );
});

async function fromCache(request: Request): Promise<Response | undefined> {
  const cache = await caches.open(CACHE);
  return cache.match(precacheKey(request.url));
}

async function page(request: Request): Promise<Response> {
  try {
    return withIsolationHeaders(await fetch(request));
  } catch (error) {
    const cached = await fromCache(request);
    if (cached) return withIsolationHeaders(cached);
    throw error;
  }
}

async function deployFile(request: Request): Promise<Response> {
  return withIsolationHeaders((await fromCache(request)) ?? (await fetch(request)));
}

self.addEventListener("fetch", (event) => {
  const route = routeOf(event.request, scope.origin, precached);
  if (route === "navigation") event.respondWith(page(event.request));
  else if (route === "precached") event.respondWith(deployFile(event.request));
  else if (route === "uncached-code") event.respondWith(fetch(event.request).then(withIsolationHeaders));
});
