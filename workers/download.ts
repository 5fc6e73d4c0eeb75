/**
 * How a model file lies in Cache Storage, and the room it needs there. A file is stored as
 * parts of at most 64 MiB (one cache entry each, keyed by the file's URL plus `dllm-part=<i>`)
 * and a small record at the file's own URL: its size, the server's version of it and each
 * part's size and SHA-256. Parts are written as they arrive, so an interrupted download keeps
 * what it had and resumes after the last whole part; a part whose bytes no longer match its
 * record is dropped with every part after it. The network side is workers/cached-files.ts.
 */
import { StorageQuotaError } from "../src/errors.ts";

/** Bytes per cache entry: small enough to hold one in memory while it is hashed and written. */
export const PART_BYTES = 64 * 2 ** 20;
/** Marks a record of this layout; an entry without it (an older whole-file copy) is replaced. */
const LAYOUT_HEADER = "x-dllm-layout";
const LAYOUT = "parts-v2";

export interface PartRecord {
  size: number;
  /** Hex SHA-256 of the part's bytes, checked on every read. */
  sha256: string;
}

export interface StoredFile {
  /** The whole file's size, when the server gave one. */
  size: number | undefined;
  /** The server's version of the file when its download began (ETag, else Last-Modified, else length). */
  version: string | null;
  parts: PartRecord[];
  /** True once every byte is stored; false for an interrupted download. */
  complete: boolean;
}

export function partUrl(url: string, index: number): string {
  const key = new URL(url);
  key.searchParams.set("dllm-part", String(index));
  return key.href;
}

export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function storedBytes(parts: readonly PartRecord[]): number {
  return parts.reduce((sum, part) => sum + part.size, 0);
}

function isStoredFile(value: unknown): value is StoredFile {
  const record = value as Partial<StoredFile> | null;
  return (
    typeof record === "object" &&
    record !== null &&
    (record.size === undefined || (Number.isInteger(record.size) && record.size >= 0)) &&
    (record.version === null || typeof record.version === "string") &&
    typeof record.complete === "boolean" &&
    Array.isArray(record.parts) &&
    record.parts.every((part) => Number.isInteger(part?.size) && part.size > 0 && typeof part.sha256 === "string")
  );
}

/**
 * The record of a stored file, or null when there is none or it is of an older layout (then it
 * is deleted and simply replaced). A record of this layout that cannot be read is deleted too,
 * and the promise rejects with why, so the caller can say the cached file was damaged.
 */
export async function readStoredFile(cache: Cache, url: string): Promise<StoredFile | null> {
  const hit = await cache.match(url);
  if (!hit) return null;
  if (hit.headers.get(LAYOUT_HEADER) !== LAYOUT) {
    await cache.delete(url).catch(() => false);
    return null;
  }
  const record: unknown = await hit.json().catch(() => null);
  if (isStoredFile(record) && (!record.complete || record.size === undefined || record.size === storedBytes(record.parts))) return record;
  await cache.delete(url).catch(() => false);
  throw new Error("its record of sizes and hashes cannot be read");
}

async function writeRecord(cache: Cache, url: string, stored: StoredFile): Promise<void> {
  await cache.put(url, new Response(JSON.stringify(stored), { headers: { "content-type": "application/json", [LAYOUT_HEADER]: LAYOUT } }));
}

/** Deletes a file's record and parts; failures are ignored (the next write replaces them). */
export async function deleteStoredFile(cache: Cache, url: string, stored: StoredFile): Promise<void> {
  await Promise.all([url, ...stored.parts.map((_, index) => partUrl(url, index))].map((key) => cache.delete(key).catch(() => false)));
}

/**
 * The stored parts as blobs, each checked against its size and hash, in order; stops at the
 * first part that is missing or damaged and says why (`damage`), so a download can resume there.
 */
export async function readParts(
  cache: Cache,
  url: string,
  stored: StoredFile,
  onPart?: (loaded: number) => void,
): Promise<{ blobs: Blob[]; damage: string | null }> {
  const blobs: Blob[] = [];
  let loaded = 0;
  for (const [index, part] of stored.parts.entries()) {
    let damage: string | null;
    try {
      const hit = await cache.match(partUrl(url, index));
      const blob = hit ? await hit.blob() : null;
      if (!blob) damage = `part ${index + 1} of ${stored.parts.length} is missing`;
      else if (blob.size !== part.size) damage = `part ${index + 1} has ${blob.size} bytes instead of the ${part.size} recorded`;
      else if ((await sha256Hex(new Uint8Array(await blob.arrayBuffer()))) !== part.sha256) damage = `its SHA-256 does not match the one recorded (part ${index + 1} of ${stored.parts.length})`;
      else {
        blobs.push(blob);
        loaded += part.size;
        onPart?.(loaded);
        continue;
      }
    } catch (error) {
      damage = `part ${index + 1} cannot be read (${(error as Error).message})`;
    }
    return { blobs, damage };
  }
  return { blobs, damage: null };
}

/**
 * Collects a download into parts: each full part is hashed and written to the cache (with the
 * record after it) and kept as a blob. Without a cache, or after a write fails (quota), parts
 * stay in memory as blobs, which the browser may page out to disk.
 */
export class PartWriter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(
    private cache: Cache | null,
    private readonly url: string,
    private readonly stored: StoredFile,
    /** The blobs of the parts already in `stored.parts`. */
    readonly blobs: Blob[],
    private readonly partBytes: number,
    /** Told once when a cache write fails; the download goes on in memory. */
    private readonly onCacheError: (error: Error) => void,
    /** Told the bytes written to the cache so far, after every part. */
    private readonly onStored: (bytes: number) => void = () => {},
  ) {}

  /** Bytes collected so far: where a resumed download continues. */
  get length(): number {
    return storedBytes(this.stored.parts) + this.pendingBytes;
  }

  async append(chunk: Uint8Array): Promise<void> {
    this.pending.push(chunk);
    this.pendingBytes += chunk.byteLength;
    while (this.pendingBytes >= this.partBytes) await this.flush(this.partBytes);
  }

  /** Writes what is left as the last part and marks the file complete. */
  async finish(): Promise<void> {
    if (this.pendingBytes > 0) await this.flush(this.pendingBytes);
    this.stored.complete = true;
    this.stored.size = storedBytes(this.stored.parts);
    await this.write(() => writeRecord(this.cache!, this.url, this.stored));
  }

  /** Drops everything collected (the server does not resume, or the file changed) to start from byte 0. */
  async reset(version: string | null, size: number | undefined): Promise<void> {
    if (this.cache) await deleteStoredFile(this.cache, this.url, this.stored);
    this.stored.parts = [];
    this.stored.complete = false;
    this.stored.version = version;
    this.stored.size = size;
    this.blobs.length = 0;
    this.pending = [];
    this.pendingBytes = 0;
  }

  private async flush(size: number): Promise<void> {
    const bytes = new Uint8Array(size);
    let offset = 0;
    while (offset < size) {
      const chunk = this.pending[0]!;
      const take = Math.min(chunk.byteLength, size - offset);
      bytes.set(take === chunk.byteLength ? chunk : chunk.subarray(0, take), offset);
      offset += take;
      if (take === chunk.byteLength) this.pending.shift();
      else this.pending[0] = chunk.subarray(take);
    }
    this.pendingBytes -= size;
    const index = this.stored.parts.length;
    const blob = new Blob([bytes]);
    const record = { size, sha256: this.cache ? await sha256Hex(bytes) : "" };
    this.stored.parts.push(record);
    this.blobs.push(blob);
    await this.write(async () => {
      const key = partUrl(this.url, index);
      await this.cache!.put(key, new Response(blob, { headers: { "content-length": String(size) } }));
      await writeRecord(this.cache!, this.url, this.stored);
      // The cache's own blob lies on disk; the one built here would keep the part in memory.
      const stored = await (await this.cache!.match(key))?.blob();
      if (stored?.size === size) this.blobs[index] = stored;
      this.onStored(storedBytes(this.stored.parts));
    });
  }

  private async write(action: () => Promise<void>): Promise<void> {
    if (!this.cache) return;
    try {
      await action();
    } catch (error) {
      this.cache = null;
      this.onCacheError(error as Error);
    }
  }
}

const MB = 1e6;

/**
 * Throws StorageQuotaError when the browser's storage has less room than `neededBytes`. An
 * estimate that cannot be read lets the download go ahead: a write that fails then only costs
 * the next visit a download.
 */
export async function checkRoom(storage: StorageManager | null | undefined, neededBytes: number): Promise<void> {
  if (!storage?.estimate || neededBytes <= 0) return;
  let estimate: StorageEstimate;
  try {
    estimate = await storage.estimate();
  } catch {
    return;
  }
  if (estimate.quota === undefined) return;
  const available = Math.max(0, estimate.quota - (estimate.usage ?? 0));
  if (neededBytes <= available) return;
  const mb = (bytes: number) => Math.ceil(bytes / MB).toLocaleString("en-US");
  throw new StorageQuotaError(
    neededBytes,
    available,
    `the model files need ${mb(neededBytes)} MB of browser storage but only ${mb(available)} MB is available ` +
      `(quota ${mb(estimate.quota)} MB, ${mb(estimate.usage ?? 0)} MB used): free disk space or this site's other data, ` +
      `press Clear cache to drop other cached models, or load without the cache (useCache: false) to keep the model in memory only`,
  );
}

/**
 * Asks the browser to keep this site's storage under pressure (navigator.storage.persist) and
 * returns what to tell the user (null when it already does). persist() exists only on the page (Window), not in a worker:
 * there this reports whether the page already obtained it.
 */
export async function askPersistence(storage: StorageManager | null | undefined): Promise<string | null> {
  const evictable = "the browser may evict the model files when the disk is nearly full";
  try {
    if (await storage?.persisted?.()) return null;
    if (typeof storage?.persist !== "function") return `persistent storage was not granted (it can only be asked from the page): ${evictable}`;
    return (await storage.persist())
      ? "persistent storage was granted: the browser keeps the model files under storage pressure"
      : `persistent storage was not granted: ${evictable}`;
  } catch (error) {
    return `persistent storage could not be asked for (${(error as Error).message}): ${evictable}`;
  }
}

/** For the page (persist() is Window-only): call before loading a large model; true when granted. */
export async function requestPersistentStorage(): Promise<boolean> {
  try {
    return (await globalThis.navigator?.storage?.persist?.()) ?? false;
  } catch {
    return false;
  }
}
