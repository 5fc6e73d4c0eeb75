/**
 * Model files fetched over HTTP and kept in Cache Storage, so a second visit loads offline.
 * A stored file is used when the server still has the same version (ETag, else Last-Modified,
 * else length, read with a HEAD request) or cannot be asked (offline): a model replaced at the
 * same URL is downloaded again instead of being served stale.
 */
import { fetchModelFiles, readWithProgress, type ModelFiles } from "../src/model/model-folder.ts";

export const MODEL_CACHE_NAME = "dllm-model-files-v1";
/** Stored with each cached file: the server's version of it when it was downloaded. */
const VERSION_HEADER = "x-dllm-file-version";
const VERSION_CHECK_MS = 5000;

export interface CachedModelFiles extends ModelFiles {
  /** Files served from the cache so far. */
  readonly cachedFiles: ReadonlySet<string>;
}

/** Cache Storage needs a secure context (https or localhost); without it files are fetched every time. */
function cacheStorage(): CacheStorage | undefined {
  return globalThis.isSecureContext ? globalThis.caches : undefined;
}

/** The server's version of a file, or null when it gives none or cannot be reached. */
async function serverVersion(url: string): Promise<string | null> {
  try {
    const response = await fetch(url, { method: "HEAD", cache: "no-store", signal: AbortSignal.timeout(VERSION_CHECK_MS) });
    if (!response.ok) return null;
    const { headers } = response;
    return headers.get("etag") ?? headers.get("last-modified") ?? headers.get("content-length");
  } catch {
    return null; // offline or unreachable: the cached copy is all there is
  }
}

export function cachedModelFiles(baseUrl: string, useCache: boolean): CachedModelFiles {
  const remote = fetchModelFiles(baseUrl);
  const cachedFiles = new Set<string>();
  const storage = useCache ? cacheStorage() : undefined;
  const opened = storage?.open(MODEL_CACHE_NAME);
  return {
    origin: remote.origin,
    cachedFiles,
    async bytes(file, onProgress) {
      const cache = await opened;
      if (!cache) return remote.bytes(file, onProgress);
      const url = new URL(file, remote.origin).href;
      const [hit, version] = await Promise.all([cache.match(url), serverVersion(url)]);
      if (hit && (version === null || hit.headers.get(VERSION_HEADER) === version)) {
        cachedFiles.add(file);
        return readWithProgress(file, hit, onProgress, true);
      }
      const bytes = await remote.bytes(file, onProgress);
      try {
        // readWithProgress always returns bytes over a plain ArrayBuffer, never a shared one.
        const body = bytes as Uint8Array<ArrayBuffer>;
        const headers: Record<string, string> = { "content-length": String(bytes.byteLength) };
        if (version !== null) headers[VERSION_HEADER] = version;
        await cache.put(url, new Response(body, { headers }));
      } catch (error) {
        // A full quota only costs the next visit a download; the model itself loaded fine.
        console.warn(`could not cache ${url}: ${(error as Error).message}`);
      }
      return bytes;
    },
  };
}

export async function clearModelCache(): Promise<boolean> {
  return (await cacheStorage()?.delete(MODEL_CACHE_NAME)) ?? false;
}
