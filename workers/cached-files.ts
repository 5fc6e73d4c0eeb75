/**
 * Model files fetched over HTTP and kept in Cache Storage, so a second visit loads offline.
 * Every file is streamed into the cache in parts (workers/download.ts) with progress: bytes, a
 * smoothed rate and the time left. A download cut off (connection lost, tab closed) resumes
 * where its stored parts end, with a `Range: bytes=N-` request; when the server ignores the
 * range or the file changed meanwhile, it starts over and a progress note says so. Before a
 * download the browser's storage estimate must leave room for it (else StorageQuotaError), and
 * one of several parts first asks for persistent storage, once.
 *
 * A stored file is used when the server still has the same version (ETag, else Last-Modified,
 * else length, read with a HEAD request) or cannot be asked (offline, said once in `notices`): a
 * model replaced at the same URL is downloaded again instead of being served stale. A file the
 * server answered 404 for is recorded as absent, so offline the same optional files are skipped.
 * A stored part whose bytes no longer match its recorded size and SHA-256 is discarded and
 * downloaded again. Without Cache
 * Storage (insecure context, blocked, over quota) files load in memory only, and `notices` says so.
 */
import { ModelLoadError } from "../src/errors.ts";
import { fetchModelFiles, type ModelFiles } from "../src/model/model-folder.ts";
import {
  askPersistence,
  checkRoom,
  deleteStoredFile,
  PART_BYTES,
  PartWriter,
  readParts,
  readStoredFile,
  type StoredFile,
} from "./download.ts";
import { RateMeter, type DownloadProgress } from "./progress.ts";

export { sha256Hex } from "./download.ts";

export const MODEL_CACHE_NAME = "dllm-model-files-v1";
const VERSION_CHECK_MS = 5000;
const MB = 1e6;

export interface CachedModelFiles extends ModelFiles {
  /** Files served from the cache so far. */
  readonly cachedFiles: ReadonlySet<string>;
  /** What the user should be told: the cache unavailable or full, a damaged copy, a resumed or restarted download. */
  readonly notices: readonly string[];
  /** A whole file, streamed (or read from the cache) with progress. */
  bytes(file: string, onProgress?: (progress: DownloadProgress) => void): Promise<Uint8Array>;
  /** The file's size from a HEAD request (the cached size when offline); undefined when the server says 404. */
  size(file: string): Promise<number | undefined>;
  /**
   * A large file for onnxruntime-web's `externalData`: a `blob:` URL of the cached parts (never
   * joined in JS memory) when it has more than one part, else its bytes. The caller owns the
   * URL and revokes it (URL.revokeObjectURL) once the InferenceSession has been created.
   */
  externalData(file: string, onProgress?: (progress: DownloadProgress) => void): Promise<Uint8Array | string>;
  /**
   * Throws StorageQuotaError when the files not yet cached will not fit in the browser's storage,
   * before anything is downloaded. Each download checks its own file as well.
   */
  ensureRoom(files: readonly string[]): Promise<void>;
}

export interface CacheDependencies {
  /** Defaults to `caches` in a secure context; null means none. */
  storage?: CacheStorage | null;
  fetch?: typeof fetch;
  /** Defaults to `navigator.storage`; null skips the quota check and the persistence request. */
  storageManager?: StorageManager | null;
  /** Bytes per cache entry (64 MiB); tests use small parts. */
  partBytes?: number;
  /** How often one download resumes by itself after a lost connection (3). */
  retries?: number;
  /** Wait before the first resume, doubled for each next one (500 ms). */
  retryDelayMs?: number;
  /** Clock for the rate, in milliseconds (performance.now). */
  now?: () => number;
}

/** Cache Storage needs a secure context (https or localhost); without it files are fetched every time. */
function cacheStorage(): CacheStorage | null {
  return globalThis.isSecureContext && globalThis.caches ? globalThis.caches : null;
}

/** A response's version of the file: ETag, else Last-Modified, else the whole file's length. */
function versionOf(response: Response): string | null {
  const { headers } = response;
  const whole = /\/(\d+)$/.exec(headers.get("content-range") ?? "")?.[1];
  return headers.get("etag") ?? headers.get("last-modified") ?? whole ?? (response.status === 206 ? null : headers.get("content-length"));
}

/** The whole file's length, when the response's bytes are the file's own (not compressed). */
function lengthOf(response: Response): number | undefined {
  const encoding = response.headers.get("content-encoding");
  if (encoding && encoding !== "identity") return undefined;
  const header = response.headers.get("content-length");
  return header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
}

interface Probe {
  status: number;
  size: number | undefined;
  version: string | null;
}

/** A HEAD request: status, size and version, or null when the server cannot be reached (offline). */
async function probe(url: string, fetchImpl: typeof fetch): Promise<Probe | null> {
  try {
    const response = await fetchImpl(url, { method: "HEAD", cache: "no-store", signal: AbortSignal.timeout(VERSION_CHECK_MS) });
    return { status: response.status, size: lengthOf(response), version: response.ok ? versionOf(response) : null };
  } catch {
    return null;
  }
}

/** Why a response to `Range: bytes=offset-` cannot continue the stored bytes, or null when it can. */
function resumeProblem(response: Response, offset: number, size: number, version: string | null): string | null {
  if (response.status === 200) {
    const now = versionOf(response);
    return version !== null && now !== null && now !== version ? "it changed on the server" : "the server does not resume downloads (it ignored the Range request)";
  }
  if (response.status === 416) return "the server refused the range (HTTP 416)";
  if (response.status !== 206) return null; // an error status: reported as such below
  const range = response.headers.get("content-range");
  if (range !== null && range !== `bytes ${offset}-${size - 1}/${size}`) return `the server sent another range (${range})`;
  if (range === null && lengthOf(response) !== size - offset) return "the server's partial answer has the wrong length";
  const now = versionOf(response);
  if (version !== null && now !== null && now !== version) return "it changed on the server";
  return null;
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

/** The cache entry that records a 404 for `url`, so an offline load makes the same choices as the online one did. */
function missingKey(url: string): string {
  const key = new URL(url);
  key.searchParams.set("dllm-missing", "1");
  return key.href;
}

export function cachedModelFiles(baseUrl: string, useCache: boolean, dependencies: CacheDependencies = {}): CachedModelFiles {
  const fetchImpl = dependencies.fetch ?? ((input, init) => fetch(input, init));
  const remote = fetchModelFiles(baseUrl, fetchImpl); // checks the URL
  const partBytes = dependencies.partBytes ?? PART_BYTES;
  const retries = dependencies.retries ?? 3;
  const retryDelayMs = dependencies.retryDelayMs ?? 500;
  const now = dependencies.now ?? (() => performance.now());
  const cachedFiles = new Set<string>();
  const notices: string[] = [];
  const storage = useCache ? (dependencies.storage === undefined ? cacheStorage() : dependencies.storage) : null;
  const storageManager = dependencies.storageManager === undefined ? (globalThis.navigator?.storage ?? null) : dependencies.storageManager;
  const inMemory = "the model is kept in memory only and will be downloaded again next time";
  if (useCache && !storage) notices.push(`Cache Storage is unavailable here (it needs https or localhost): ${inMemory}`);
  const opened: Promise<Cache | null> = storage
    ? storage.open(MODEL_CACHE_NAME).catch((error: unknown) => {
        notices.push(`Cache Storage could not be opened (${(error as Error).message}): ${inMemory}`);
        return null;
      })
    : Promise.resolve(null);
  /** Bytes still to be written by the downloads in flight, by file: they share the quota. */
  const outstanding = new Map<string, number>();
  let persistence: Promise<void> | undefined;
  const urlOf = (file: string) => new URL(file, remote.origin).href;
  /** Said once per load: offline, every cached file is used as it is, unchecked. */
  let unverifiedNoted = false;
  const unverified = () => {
    if (unverifiedNoted) return;
    unverifiedNoted = true;
    notices.push(`the model's server could not be reached (offline?): its cached files are used without checking for a newer version`);
  };

  async function room(file: string, needed: number): Promise<void> {
    let others = 0;
    for (const [name, bytes] of outstanding) if (name !== file) others += bytes;
    await checkRoom(storageManager, needed + others);
  }

  /** The file as blobs of its parts, from the cache, a resumed download or a new one. */
  async function obtain(file: string, onProgress?: (progress: DownloadProgress) => void): Promise<Blob[]> {
    const url = urlOf(file);
    const cache = await opened;
    const [stored, head] = await Promise.all([
      cache
        ? readStoredFile(cache, url).catch((error: unknown) => {
            notices.push(`the cached ${file} was damaged (${(error as Error).message}): it was discarded and downloaded again`);
            return null;
          })
        : null,
      probe(url, fetchImpl),
    ]);
    const version = head?.version ?? null;
    const meter = new RateMeter(now);
    const report = (loaded: number, total: number | undefined, fromCache: boolean, note?: string) => {
      if (note !== undefined) notices.push(note);
      if (!fromCache) meter.sample(loaded);
      const eta = fromCache ? undefined : meter.etaSeconds(loaded, total);
      onProgress?.({
        file,
        loaded,
        total,
        fromCache,
        ...(meter.rate !== undefined && !fromCache ? { rate: meter.rate } : {}),
        ...(eta !== undefined ? { etaSeconds: eta } : {}),
        ...(note !== undefined ? { note } : {}),
      });
    };

    let kept: StoredFile = { size: head?.size, version, parts: [], complete: false };
    let keptBlobs: Blob[] = [];
    if (cache && stored) {
      if (version !== null && stored.version !== version) {
        // A new version of a complete file is simply downloaded; a half-downloaded one is worth a word.
        if (!stored.complete) notices.push(`${file} changed on the server since its download was interrupted: it is downloaded from the start`);
        await deleteStoredFile(cache, url, stored);
      } else {
        const { blobs, damage } = await readParts(cache, url, stored, (loaded) => report(loaded, stored.size, true));
        if (stored.complete && damage === null) {
          cachedFiles.add(file);
          if (head === null) unverified();
          report(stored.size ?? 0, stored.size ?? 0, true);
          return blobs;
        }
        kept = { ...stored, version: stored.version ?? version, size: head?.size ?? stored.size, parts: stored.parts.slice(0, blobs.length), complete: false };
        keptBlobs = blobs;
        if (damage !== null) {
          const from = kept.parts.reduce((sum, part) => sum + part.size, 0);
          notices.push(`the cached ${file} was damaged (${damage}): it was discarded from byte ${from} on and downloaded again`);
        }
      }
    }

    let total = kept.size;
    const writer = new PartWriter(
      cache,
      url,
      kept,
      keptBlobs,
      partBytes,
      (error) => notices.push(`${file} could not be kept in Cache Storage (${error.name}: ${error.message}): ${inMemory}`),
      (written) => {
        if (total !== undefined) outstanding.set(file, Math.max(0, total - written));
      },
    );
    if (cache && total !== undefined) {
      await room(file, total - writer.length);
      outstanding.set(file, total - writer.length);
    }
    try {
      // A download of several parts (64 MiB each) is worth keeping: ask once for persistent storage.
      if (cache && total !== undefined && total - writer.length > partBytes && storageManager) {
        persistence ??= askPersistence(storageManager).then((notice) => void (notice && notices.push(notice)));
        await persistence;
      }
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, retryDelayMs * 2 ** (attempt - 1)));
        const offset = writer.length;
        const resuming = offset > 0 && total !== undefined;
        let response: Response;
        try {
          response = await fetchImpl(url, resuming ? { cache: "no-store", headers: { range: `bytes=${offset}-` } } : { cache: "no-store" });
        } catch (error) {
          if (attempt < retries && resuming) continue;
          throw new ModelLoadError(file, `could not be fetched from ${url} (${(error as Error).message})`);
        }
        if (resuming) {
          const problem = resumeProblem(response, offset, total!, kept.version);
          if (problem === null && response.status === 206) {
            report(offset, total, false, `${file}: resuming the download at ${mb(offset)} of ${mb(total!)}`);
          } else if (problem !== null) {
            report(0, total, false, `${file}: ${problem}: the download starts over`);
            await writer.reset(versionOf(response), response.status === 200 ? lengthOf(response) : total);
            if (response.status !== 200) {
              await response.body?.cancel();
              response = await fetchImpl(url, { cache: "no-store" });
            }
          }
        }
        if (!response.ok) throw new ModelLoadError(file, `could not be fetched from ${url}: HTTP ${response.status}`);
        // Single-page hosts answer a missing file with their index.html.
        if ((response.headers.get("content-type") ?? "").startsWith("text/html")) {
          throw new ModelLoadError(file, `was not found at ${url} (the server answered with an HTML page)`);
        }
        if (response.status === 200) {
          total = lengthOf(response);
          if (writer.length === 0) kept.version = versionOf(response) ?? kept.version;
        }
        let lost: string | null = null;
        try {
          const reader = response.body!.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            await writer.append(value);
            report(writer.length, total, false);
          }
          if (total !== undefined && writer.length < total) lost = `the server closed the connection at ${mb(writer.length)} of ${mb(total)}`;
        } catch (error) {
          lost = (error as Error).message;
        }
        if (lost === null) break;
        if (attempt < retries && total !== undefined) {
          report(writer.length, total, false, `${file}: connection lost at ${mb(writer.length)} of ${mb(total)} (${lost}): resuming`);
          continue;
        }
        throw new ModelLoadError(
          file,
          `the download was interrupted at ${mb(writer.length)}${total === undefined ? "" : ` of ${mb(total)}`} (${lost}); load again to resume it`,
        );
      }
      if (total !== undefined && writer.length !== total) throw new ModelLoadError(file, `was truncated: got ${writer.length} of ${total} bytes`);
      await writer.finish();
      report(writer.length, writer.length, false);
      return writer.blobs;
    } finally {
      outstanding.delete(file);
    }
  }

  return {
    origin: remote.origin,
    cachedFiles,
    notices,
    async bytes(file, onProgress) {
      return new Uint8Array(await new Blob(await obtain(file, onProgress)).arrayBuffer());
    },
    async externalData(file, onProgress) {
      const blobs = await obtain(file, onProgress);
      const whole = new Blob(blobs);
      return blobs.length > 1 ? URL.createObjectURL(whole) : new Uint8Array(await whole.arrayBuffer());
    },
    async size(file) {
      const url = urlOf(file);
      const head = await probe(url, fetchImpl);
      const cache = await opened;
      if (head === null) {
        const stored = cache ? await readStoredFile(cache, url).catch(() => null) : null;
        if (stored?.complete) return stored.size;
        // Offline, a file the server said it lacks (an optional one: generation_config.json, a graph variant) is still absent.
        if (cache && (await cache.match(missingKey(url)).catch(() => undefined))) return undefined;
        throw new ModelLoadError(file, `could not be reached at ${url}`);
      }
      if (cache) await (head.status === 404 ? cache.put(missingKey(url), new Response("")) : cache.delete(missingKey(url))).catch(() => undefined);
      if (head.status === 404) return undefined;
      if (head.status < 200 || head.status >= 300) throw new ModelLoadError(file, `could not be fetched from ${url}: HTTP ${head.status}`);
      return head.size ?? 0;
    },
    async ensureRoom(files) {
      const cache = await opened;
      if (!cache) return;
      const needed = await Promise.all(
        files.map(async (file) => {
          const url = urlOf(file);
          const [stored, head] = await Promise.all([readStoredFile(cache, url).catch(() => null), probe(url, fetchImpl)]);
          if (!head?.size) return 0;
          const fresh = stored && (head.version === null || stored.version === head.version);
          const have = fresh ? stored.parts.reduce((sum, part) => sum + part.size, 0) : 0;
          return Math.max(0, head.size - have);
        }),
      );
      await checkRoom(storageManager, needed.reduce((sum, bytes) => sum + bytes, 0));
    },
  };
}

export async function clearModelCache(): Promise<boolean> {
  return (await cacheStorage()?.delete(MODEL_CACHE_NAME)) ?? false;
}
