/**
 * Model files fetched over HTTP and kept in Cache Storage, so a second visit loads offline.
 * A stored file is used when the server still has the same version (ETag, else Last-Modified,
 * else length, read with a HEAD request) or cannot be asked (offline): a model replaced at the
 * same URL is downloaded again instead of being served stale. A stored copy whose bytes no
 * longer match the size and SHA-256 recorded with it is discarded and downloaded again.
 * Without Cache Storage (insecure context, blocked, over quota) files load in memory only,
 * and `notices` says so.
 */
import { fetchModelFiles, readWithProgress, type ModelFiles } from "../src/model/model-folder.ts";

export const MODEL_CACHE_NAME = "dllm-model-files-v1";
/** Stored with each cached file: the server's version of it when it was downloaded. */
const VERSION_HEADER = "x-dllm-file-version";
/** Stored with each cached file: the hex SHA-256 of its bytes, checked on every read. */
const HASH_HEADER = "x-dllm-sha256";
const VERSION_CHECK_MS = 5000;

export interface CachedModelFiles extends ModelFiles {
  /** Files served from the cache so far. */
  readonly cachedFiles: ReadonlySet<string>;
  /** What the user should be told: the cache was unavailable or full, or a cached copy was damaged. */
  readonly notices: readonly string[];
}

export interface CacheDependencies {
  /** Defaults to `caches` in a secure context; null means none. */
  storage?: CacheStorage | null;
  fetch?: typeof fetch;
}

/** Cache Storage needs a secure context (https or localhost); without it files are fetched every time. */
function cacheStorage(): CacheStorage | null {
  return globalThis.isSecureContext && globalThis.caches ? globalThis.caches : null;
}

/** The server's version of a file, or null when it gives none or cannot be reached. */
async function serverVersion(url: string, fetchImpl: typeof fetch): Promise<string | null> {
  try {
    const response = await fetchImpl(url, { method: "HEAD", cache: "no-store", signal: AbortSignal.timeout(VERSION_CHECK_MS) });
    if (!response.ok) return null;
    const { headers } = response;
    return headers.get("etag") ?? headers.get("last-modified") ?? headers.get("content-length");
  } catch {
    return null; // offline or unreachable: the cached copy is all there is
  }
}

export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Why a cached copy cannot be trusted, or null when it matches what was recorded with it. */
async function damage(headers: Headers, bytes: Uint8Array<ArrayBuffer>): Promise<string | null> {
  const size = headers.get("content-length");
  if (size !== null && Number(size) !== bytes.byteLength) return `${bytes.byteLength} bytes instead of the ${size} recorded`;
  if ((await sha256Hex(bytes)) !== headers.get(HASH_HEADER)) return "its SHA-256 does not match the one recorded";
  return null;
}

export function cachedModelFiles(baseUrl: string, useCache: boolean, dependencies: CacheDependencies = {}): CachedModelFiles {
  const fetchImpl = dependencies.fetch ?? ((input, init) => fetch(input, init));
  const remote = fetchModelFiles(baseUrl, fetchImpl);
  const cachedFiles = new Set<string>();
  const notices: string[] = [];
  const storage = useCache ? (dependencies.storage === undefined ? cacheStorage() : dependencies.storage) : null;
  const inMemory = "the model is kept in memory only and will be downloaded again next time";
  if (useCache && !storage) notices.push(`Cache Storage is unavailable here (it needs https or localhost): ${inMemory}`);
  const opened: Promise<Cache | null> = storage
    ? storage.open(MODEL_CACHE_NAME).catch((error: unknown) => {
        notices.push(`Cache Storage could not be opened (${(error as Error).message}): ${inMemory}`);
        return null;
      })
    : Promise.resolve(null);
  return {
    origin: remote.origin,
    cachedFiles,
    notices,
    async bytes(file, onProgress) {
      const cache = await opened;
      if (!cache) return remote.bytes(file, onProgress);
      const url = new URL(file, remote.origin).href;
      const [hit, version] = await Promise.all([cache.match(url).catch(() => undefined), serverVersion(url, fetchImpl)]);
      // A copy stored without a hash (by an older version of this page) is simply replaced.
      if (hit?.headers.has(HASH_HEADER) && (version === null || hit.headers.get(VERSION_HEADER) === version)) {
        let problem: string | null;
        try {
          const bytes = (await readWithProgress(file, hit, onProgress, true)) as Uint8Array<ArrayBuffer>;
          problem = await damage(hit.headers, bytes);
          if (problem === null) {
            cachedFiles.add(file);
            return bytes;
          }
        } catch (error) {
          problem = (error as Error).message;
        }
        notices.push(`the cached ${file} was damaged (${problem}): it was discarded and downloaded again`);
        await cache.delete(url).catch(() => false);
      }
      // readWithProgress always returns bytes over a plain ArrayBuffer, never a shared one.
      const bytes = (await remote.bytes(file, onProgress)) as Uint8Array<ArrayBuffer>;
      try {
        const headers: Record<string, string> = { "content-length": String(bytes.byteLength), [HASH_HEADER]: await sha256Hex(bytes) };
        if (version !== null) headers[VERSION_HEADER] = version;
        await cache.put(url, new Response(bytes, { headers }));
      } catch (error) {
        // A full quota only costs the next visit a download; the model itself loaded fine.
        notices.push(`${file} could not be kept in Cache Storage (${(error as Error).name}: ${(error as Error).message}): ${inMemory}`);
      }
      return bytes;
    },
  };
}

export async function clearModelCache(): Promise<boolean> {
  return (await cacheStorage()?.delete(MODEL_CACHE_NAME)) ?? false;
}
