/**
 * The page's side of the service worker (src/service-worker/sw.ts): registers it in production
 * builds (never under the dev server, whose files change on every edit), reloads once when it
 * has just taken over a page that is not cross-origin isolated (so its COOP/COEP headers apply),
 * and says where the page's isolation comes from.
 */
import { ISOLATION_SOURCE_HEADER, SUPPLIED_BY_WORKER } from "../service-worker/app-cache.ts";

/** Where COOP/COEP came from: the host's own headers, the service worker, or nowhere. */
export type IsolationSource = "host" | "service-worker" | "none";

/** Set before the one reload; cleared once the page is isolated, so a page that cannot be never reloads in a loop. */
const RELOAD_KEY = "dllm-isolation-reload";

export function describeIsolation(source: IsolationSource, threadsReason: string | undefined): string {
  const threads = threadsReason ? `WASM uses ${threadsReason}` : "WASM may use threads";
  switch (source) {
    case "host":
      return `Cross-origin isolated (COOP/COEP headers from the host): ${threads}.`;
    case "service-worker":
      return `Cross-origin isolated (COOP/COEP headers supplied by the service worker, as this host sends none): ${threads}.`;
    case "none":
      return "Not cross-origin isolated (this host sends no COOP/COEP headers and no service worker supplies them yet): WASM runs single-threaded.";
  }
}

/** Reloads the page once, unless it already did so for isolation in this tab. */
function reloadOnce(storage: Storage | null): boolean {
  if (!storage || storage.getItem(RELOAD_KEY) !== null) return false;
  storage.setItem(RELOAD_KEY, String(Date.now()));
  location.reload();
  return true;
}

function sessionStore(): Storage | null {
  try {
    return sessionStorage;
  } catch {
    return null; // storage blocked: no guard, so no reload either
  }
}

/** The service worker marks the responses it added COOP/COEP to; the page's own file, fetched through it, tells. */
async function suppliedByWorker(): Promise<boolean> {
  try {
    const response = await fetch(location.pathname, { cache: "no-store" });
    await response.body?.cancel();
    return response.headers.get(ISOLATION_SOURCE_HEADER) === SUPPLIED_BY_WORKER;
  } catch {
    return false;
  }
}

async function currentSource(): Promise<IsolationSource> {
  if (!crossOriginIsolated) return "none";
  return navigator.serviceWorker?.controller && (await suppliedByWorker()) ? "service-worker" : "host";
}

/**
 * Registers the service worker (production builds only) and resolves with where the page's
 * isolation comes from. A registration that fails leaves the page as it is, with a warning
 * in the console: the page works without one, online.
 */
export async function startOffline(scriptUrl = "./sw.js"): Promise<IsolationSource> {
  const storage = sessionStore();
  if (crossOriginIsolated) storage?.removeItem(RELOAD_KEY);
  if (!("serviceWorker" in navigator)) return currentSource();
  const container = navigator.serviceWorker;
  if (!import.meta.env.PROD) {
    // A worker a production build left on this origin (a preview on the same port) must not serve its deploy over the dev server's files.
    for (const registration of await container.getRegistrations()) await registration.unregister();
    return currentSource();
  }
  if (!crossOriginIsolated) {
    // Served by the worker already, yet not isolated (another tab installed it), or taken over just now: one reload applies its headers.
    if (container.controller && reloadOnce(storage)) return "none";
    container.addEventListener("controllerchange", () => void reloadOnce(storage), { once: true });
  }
  try {
    await container.register(scriptUrl, { scope: "./" });
  } catch (error) {
    console.warn(`the service worker could not be registered, so the page will not work offline: ${(error as Error).message}`);
  }
  return currentSource();
}
