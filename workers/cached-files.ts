/**
 * Model files fetched over HTTP and kept in Cache Storage, so a second visit loads offline.
 * Cache-first: a stored file is used as is; "Clear cache" (clearModelCache) forces a refetch.
 */
import { fetchModelFiles, readWithProgress, type ModelFiles } from "../src/model/model-folder.ts";

export const MODEL_CACHE_NAME = "dllm-model-files-v1";

export interface CachedModelFiles extends ModelFiles {
  /** Files served from the cache so far. */
  readonly cachedFiles: ReadonlySet<string>;
}

/** Cache Storage needs a secure context (https or localhost); without it files are fetched every time. */
function cacheStorage(): CacheStorage | undefined {
  return globalThis.isSecureContext ? globalThis.caches : undefined;
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
      const url = new URL(file, remote.origin).href;
      const cache = await opened;
      const hit = await cache?.match(url);
      if (hit) {
        cachedFiles.add(file);
        return readWithProgress(file, hit, onProgress, true);
      }
      const bytes = await remote.bytes(file, onProgress);
      try {
        // readWithProgress always returns bytes over a plain ArrayBuffer, never a shared one.
        const body = bytes as Uint8Array<ArrayBuffer>;
        await cache?.put(url, new Response(body, { headers: { "content-length": String(bytes.byteLength) } }));
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
