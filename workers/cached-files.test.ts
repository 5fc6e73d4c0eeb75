/**
 * Model files in Cache Storage, with an in-memory CacheStorage, StorageManager and a fake
 * server that honours Range requests: parts and their records, resuming a cut-off download,
 * a server that ignores Range, a file that changed meanwhile, the quota check, the progress
 * rate and time left, and the faults (Cache Storage unavailable, full, or holding damaged parts).
 */
import { resolveObjectURL } from "node:buffer";
import { describe, expect, it } from "vitest";
import { StorageQuotaError } from "../src/errors.ts";
import { cachedModelFiles, MODEL_CACHE_NAME, type CacheDependencies } from "./cached-files.ts";
import { partUrl } from "./download.ts";
import type { DownloadProgress } from "./progress.ts";

const BASE = "http://models.test/tiny/";
const FILE = "onnx/model.onnx.data";
const URL_OF = `${BASE}${FILE}`;
const PART = 1000;
const DATA = Uint8Array.from({ length: 4500 }, (_, i) => (i * 7 + (i >> 8)) % 251);
/** The fake server sends a small file in chunks of this size, and the fake clock advances 100 ms per chunk. */
const CHUNK = 250;

interface ServerOptions {
  etag?: string;
  /** Answer Range requests with the whole file (200), as a server without range support does. */
  ignoreRange?: boolean;
  /** Error the body after this many bytes of the response, once. */
  cutAfter?: number;
  data?: Uint8Array;
}

/** One file over fake HTTP; logs each request as "METHOD range" and drives a fake clock. */
function server(options: ServerOptions = {}) {
  const data = options.data ?? DATA;
  const log: string[] = [];
  let cutAfter = options.cutAfter;
  const clock = { ms: 0 };
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    if (String(input) !== URL_OF) return new Response('{"error":"Entry not found"}', { status: 404 });
    const range = new Headers(init?.headers).get("range");
    log.push(`${init?.method ?? "GET"} ${range ?? "-"}`);
    const headers: Record<string, string> = { etag: options.etag ?? '"v1"', "accept-ranges": "bytes", "content-type": "application/octet-stream" };
    let start = 0;
    let status = 200;
    const match = /^bytes=(\d+)-$/.exec(range ?? "");
    if (match && !options.ignoreRange) {
      start = Number(match[1]);
      if (start >= data.byteLength) return new Response(null, { status: 416, headers: { "content-range": `bytes */${data.byteLength}` } });
      status = 206;
      headers["content-range"] = `bytes ${start}-${data.byteLength - 1}/${data.byteLength}`;
    }
    headers["content-length"] = String(data.byteLength - start);
    if (init?.method === "HEAD") return new Response(null, { status, headers });
    const body = data.slice(start);
    const cut = cutAfter;
    cutAfter = undefined;
    // Large files go in 16 chunks, so a test of a 100 MB file does not read 250-byte pieces.
    const chunk = Math.max(CHUNK, Math.ceil(body.byteLength / 16));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (cut !== undefined && sent >= cut) return controller.error(new TypeError("network error: connection reset"));
        if (sent >= body.byteLength) return controller.close();
        const size = Math.min(chunk, body.byteLength - sent, cut === undefined ? Infinity : cut - sent);
        controller.enqueue(body.slice(sent, sent + size));
        sent += size;
        clock.ms += 100;
      },
    });
    return new Response(stream, { status, headers });
  }) as typeof fetch;
  return { fetchImpl, log, clock, gets: () => log.filter((line) => line.startsWith("GET")) };
}

interface Stored {
  body: Uint8Array<ArrayBuffer>;
  headers: Headers;
}

/** Cache Storage in memory; `failPut` and `failOpen` simulate a full quota and a blocked store. */
function memoryStorage(options: { failPut?: boolean; failOpen?: boolean } = {}) {
  const entries = new Map<string, Stored>();
  const cache = {
    async match(url: string) {
      const hit = entries.get(String(url));
      return hit && new Response(hit.body.slice(), { headers: hit.headers });
    },
    async put(url: string, response: Response) {
      if (options.failPut) throw new DOMException("the quota has been exceeded", "QuotaExceededError");
      entries.set(String(url), { body: new Uint8Array(await response.arrayBuffer()), headers: response.headers });
    },
    async delete(url: string) {
      return entries.delete(String(url));
    },
  };
  const storage = {
    async open(name: string) {
      if (options.failOpen) throw new DOMException("access to Cache Storage is denied", "SecurityError");
      expect(name).toBe(MODEL_CACHE_NAME);
      return cache;
    },
  } as unknown as CacheStorage;
  return { storage, entries };
}

/** navigator.storage with a fixed quota; counts persist() calls. */
function storageManager(quota = 1e9, usage = 0, granted = true, persisted = false) {
  const calls = { persist: 0 };
  const manager = {
    estimate: async () => ({ quota, usage }),
    persisted: async () => persisted,
    persist: async () => {
      calls.persist++;
      return granted;
    },
  } as unknown as StorageManager;
  return { manager, calls };
}

function files(deps: CacheDependencies & { storage: CacheStorage | null; fetch: typeof fetch }, useCache = true) {
  // Persistent by default, so only the test of persistence hears about it.
  return cachedModelFiles(BASE, useCache, { partBytes: PART, retryDelayMs: 1, storageManager: storageManager(1e9, 0, true, true).manager, ...deps });
}

describe("model files in Cache Storage, in parts", () => {
  it("stores a download as parts with a record, and serves the next load from the cache", async () => {
    const { fetchImpl, gets } = server();
    const { storage, entries } = memoryStorage();
    const first = files({ storage, fetch: fetchImpl });
    expect(await first.bytes(FILE)).toEqual(DATA);
    const record = JSON.parse(new TextDecoder().decode(entries.get(URL_OF)!.body));
    expect(record).toMatchObject({ size: DATA.byteLength, version: '"v1"', complete: true });
    expect(record.parts.map((part: { size: number }) => part.size)).toEqual([1000, 1000, 1000, 1000, 500]);
    expect(entries.get(partUrl(URL_OF, 4))!.body.byteLength).toBe(500);
    const progress: DownloadProgress[] = [];
    const second = files({ storage, fetch: fetchImpl });
    expect(await second.bytes(FILE, (p) => progress.push(p))).toEqual(DATA);
    expect(gets()).toEqual(["GET -"]);
    expect(second.cachedFiles.has(FILE)).toBe(true);
    expect(second.notices).toEqual([]);
    expect(progress.every((p) => p.fromCache)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ loaded: DATA.byteLength, total: DATA.byteLength });
  });

  it("resumes a cut-off download with a Range request, within the same call", async () => {
    const { fetchImpl, log } = server({ cutAfter: 2600 });
    const { storage } = memoryStorage();
    const progress: DownloadProgress[] = [];
    const loaded = files({ storage, fetch: fetchImpl });
    expect(await loaded.bytes(FILE, (p) => progress.push(p))).toEqual(DATA);
    // The bytes past the last whole part were still in memory: nothing is fetched twice.
    expect(log).toEqual(["HEAD -", "GET -", "GET bytes=2600-"]);
    expect(progress.map((p) => p.note).filter(Boolean)).toEqual([
      expect.stringMatching(/connection lost at 0\.0 MB of 0\.0 MB \(network error: connection reset\): resuming/),
      `${FILE}: resuming the download at 0.0 MB of 0.0 MB`,
    ]);
    for (const [a, b] of progress.slice(1).map((p, i) => [progress[i]!, p] as const)) expect(b.loaded).toBeGreaterThanOrEqual(a.loaded);
  });

  it("resumes across loads from the last stored part (a tab closed mid-download)", async () => {
    const cut = server({ cutAfter: 2600 });
    const { storage } = memoryStorage();
    const first = files({ storage, fetch: cut.fetchImpl, retries: 0 });
    await expect(first.bytes(FILE)).rejects.toThrow(/interrupted at 0\.0 MB of 0\.0 MB \(network error: connection reset\); load again to resume/);
    const again = server();
    const second = files({ storage, fetch: again.fetchImpl });
    expect(await second.bytes(FILE)).toEqual(DATA);
    expect(again.log).toEqual(["HEAD -", "GET bytes=2000-"]);
    expect(second.notices).toEqual([`${FILE}: resuming the download at 0.0 MB of 0.0 MB`]);
    expect(second.cachedFiles.size).toBe(0);
    const third = files({ storage, fetch: again.fetchImpl });
    expect(await third.bytes(FILE)).toEqual(DATA);
    expect(third.cachedFiles.has(FILE)).toBe(true);
  });

  it("starts over, and says so, when the server ignores Range", async () => {
    const { storage } = memoryStorage();
    await expect(files({ storage, fetch: server({ cutAfter: 2600 }).fetchImpl, retries: 0 }).bytes(FILE)).rejects.toThrow(/interrupted/);
    const plain = server({ ignoreRange: true });
    const progress: DownloadProgress[] = [];
    const loaded = files({ storage, fetch: plain.fetchImpl });
    expect(await loaded.bytes(FILE, (p) => progress.push(p))).toEqual(DATA);
    // The whole-file answer to the Range request is used from byte 0: no third request.
    expect(plain.gets()).toEqual(["GET bytes=2000-"]);
    expect(loaded.notices).toEqual([`${FILE}: the server does not resume downloads (it ignored the Range request): the download starts over`]);
    expect(progress.find((p) => p.note)?.loaded).toBe(0);
    expect(await files({ storage, fetch: plain.fetchImpl }).bytes(FILE)).toEqual(DATA);
  });

  it("starts over when the file changed on the server since the interrupted download", async () => {
    const { storage } = memoryStorage();
    await expect(files({ storage, fetch: server({ cutAfter: 2600 }).fetchImpl, retries: 0 }).bytes(FILE)).rejects.toThrow(/interrupted/);
    const newer = Uint8Array.from({ length: 3000 }, (_, i) => i % 13);
    const changed = server({ etag: '"v2"', data: newer });
    const loaded = files({ storage, fetch: changed.fetchImpl });
    expect(await loaded.bytes(FILE)).toEqual(newer);
    expect(changed.gets()).toEqual(["GET -"]);
    expect(loaded.notices).toEqual([`${FILE} changed on the server since its download was interrupted: it is downloaded from the start`]);
  });

  it("downloads a complete file again, without a notice, when the server has a new version", async () => {
    const { storage } = memoryStorage();
    await files({ storage, fetch: server({ etag: '"v1"' }).fetchImpl }).bytes(FILE);
    const updated = server({ etag: '"v2"' });
    const loaded = files({ storage, fetch: updated.fetchImpl });
    await loaded.bytes(FILE);
    expect(updated.gets()).toEqual(["GET -"]);
    expect(loaded.notices).toEqual([]);
  });

  it("refuses to start when the quota is too small, saying how many MB are needed and available", async () => {
    const big = new Uint8Array(3_500_000);
    const { fetchImpl, gets } = server({ data: big });
    const { storage } = memoryStorage();
    const loaded = files({ storage, fetch: fetchImpl, partBytes: 2 ** 20, storageManager: storageManager(3_000_000, 1_200_000).manager });
    const error = await loaded.bytes(FILE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageQuotaError);
    expect((error as StorageQuotaError).message).toMatch(
      /need 4 MB of browser storage but only 2 MB is available \(quota 3 MB, 2 MB used\).*Clear cache.*useCache: false/,
    );
    expect((error as StorageQuotaError).neededBytes).toBe(3_500_000);
    expect((error as StorageQuotaError).availableBytes).toBe(1_800_000);
    await expect(loaded.ensureRoom([FILE])).rejects.toThrow(StorageQuotaError);
    expect(gets()).toEqual([]);
    // Without the cache nothing is stored, so there is nothing to check.
    const inMemory = files({ storage: null, fetch: fetchImpl, partBytes: 2 ** 20, storageManager: storageManager(3_000_000, 1_200_000).manager }, false);
    // (toEqual on megabytes compares element by element, for a minute.)
    expect(Buffer.from(await inMemory.bytes(FILE)).equals(big)).toBe(true);
  });

  it("asks once for persistent storage before a download of several parts, and reports the answer", async () => {
    const { manager, calls } = storageManager(1e12, 0, false);
    const loaded = files({ storage: memoryStorage().storage, fetch: server().fetchImpl, storageManager: manager });
    const url = await loaded.externalData(FILE);
    expect(calls.persist).toBe(1);
    expect(loaded.notices).toEqual([expect.stringMatching(/^persistent storage was not granted: the browser may evict/)]);
    // Several parts: a blob: URL of their concatenation, which the caller revokes.
    expect(url).toMatch(/^blob:/);
    const blob = resolveObjectURL(url as string)!;
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(DATA);
    URL.revokeObjectURL(url as string);
    // A file of one part comes back as bytes, and asks nothing.
    const small = storageManager();
    expect(await files({ storage: memoryStorage().storage, fetch: server().fetchImpl, partBytes: 8192, storageManager: small.manager }).externalData(FILE)).toEqual(DATA);
    expect(small.calls.persist).toBe(0);
  });

  it("reports a smoothed rate and a time left that fall as the bytes arrive", async () => {
    const { fetchImpl, clock } = server();
    const progress: DownloadProgress[] = [];
    await files({ storage: memoryStorage().storage, fetch: fetchImpl, now: () => clock.ms }).bytes(FILE, (p) => progress.push(p));
    const timed = progress.filter((p) => p.rate !== undefined);
    expect(timed.length).toBeGreaterThan(10);
    // 250 bytes per 100 ms: 2,500 bytes/s.
    for (const p of timed) {
      expect(p.rate).toBeGreaterThan(2000);
      expect(p.rate).toBeLessThan(3000);
      expect(p.etaSeconds).toBeCloseTo((DATA.byteLength - p.loaded) / p.rate!, 6);
    }
    const etas = timed.map((p) => p.etaSeconds!);
    for (let i = 1; i < etas.length; i++) expect(etas[i]).toBeLessThanOrEqual(etas[i - 1]!);
    expect(progress.at(-1)).toMatchObject({ loaded: DATA.byteLength, total: DATA.byteLength, etaSeconds: 0, fromCache: false });
  });

  it("downloads again from a damaged part on, with a Range request", async () => {
    const { fetchImpl, log } = server();
    const { storage, entries } = memoryStorage();
    await files({ storage, fetch: fetchImpl }).bytes(FILE);
    entries.get(partUrl(URL_OF, 2))!.body[100]! ^= 0xff;
    const loaded = files({ storage, fetch: fetchImpl });
    expect(await loaded.bytes(FILE)).toEqual(DATA);
    expect(log.at(-1)).toBe("GET bytes=2000-");
    expect(loaded.cachedFiles.size).toBe(0);
    expect(loaded.notices[0]).toMatch(/cached onnx\/model.onnx.data was damaged \(its SHA-256 does not match the one recorded \(part 3 of 5\)\): it was discarded from byte 2000 on and downloaded again/);
    const again = files({ storage, fetch: fetchImpl });
    await again.bytes(FILE);
    expect(again.cachedFiles.has(FILE)).toBe(true);
    expect(again.notices).toEqual([]);
  });

  it("downloads again a part shorter than its record or an unreadable record, and replaces a whole-file entry of the old layout", async () => {
    const { fetchImpl } = server();
    const { storage, entries } = memoryStorage();
    await files({ storage, fetch: fetchImpl }).bytes(FILE);
    entries.get(partUrl(URL_OF, 0))!.body = entries.get(partUrl(URL_OF, 0))!.body.slice(0, 10);
    const loaded = files({ storage, fetch: fetchImpl });
    expect(await loaded.bytes(FILE)).toEqual(DATA);
    expect(loaded.notices[0]).toMatch(/damaged \(part 1 has 10 bytes instead of the 1000 recorded\)/);
    // A record that cannot be read: damaged, said so, downloaded again.
    const record = entries.get(URL_OF)!;
    record.body = record.body.slice(0, record.body.byteLength >> 1);
    const unreadable = files({ storage, fetch: fetchImpl });
    expect(await unreadable.bytes(FILE)).toEqual(DATA);
    expect(unreadable.notices).toEqual([`the cached ${FILE} was damaged (its record of sizes and hashes cannot be read): it was discarded and downloaded again`]);
    entries.set(URL_OF, { body: DATA.slice(), headers: new Headers({ "x-dllm-sha256": "00" }) });
    const old = files({ storage, fetch: fetchImpl });
    expect(await old.bytes(FILE)).toEqual(DATA);
    expect(old.cachedFiles.size).toBe(0);
    expect(entries.get(URL_OF)!.headers.get("x-dllm-layout")).toBe("parts-v2");
  });

  it("serves a complete cached file when the server cannot be reached, and reports its size", async () => {
    const { storage } = memoryStorage();
    await files({ storage, fetch: server().fetchImpl }).bytes(FILE);
    const offline = (async () => {
      throw new TypeError("Failed to fetch");
    }) as typeof fetch;
    const loaded = files({ storage, fetch: offline });
    expect(await loaded.bytes(FILE)).toEqual(DATA);
    expect(await loaded.bytes(FILE)).toEqual(DATA);
    // Said once, however many files are served unchecked; a load that could check says nothing.
    expect(loaded.notices).toEqual([expect.stringMatching(/server could not be reached .*used without checking for a newer version/)]);
    expect(await loaded.size(FILE)).toBe(DATA.byteLength);
    await expect(loaded.size("config.json")).rejects.toThrow(/config.json: could not be reached/);
    // A file the server said it lacks stays absent offline, so an offline load makes the online load's choices.
    const { storage: seen } = memoryStorage();
    expect(await files({ storage: seen, fetch: server().fetchImpl }).size("generation_config.json")).toBeUndefined();
    expect(await files({ storage: seen, fetch: offline }).size("generation_config.json")).toBeUndefined();
    await expect(files({ storage: seen, fetch: offline }).size("tokenizer.json")).rejects.toThrow(/could not be reached/);
    const online = files({ storage, fetch: server().fetchImpl });
    expect(await online.bytes(FILE)).toEqual(DATA);
    expect(online.notices).toEqual([]);
    expect(await online.size(FILE)).toBe(DATA.byteLength);
    expect(await online.size("onnx/missing.onnx")).toBeUndefined();
    await expect(online.bytes("onnx/missing.onnx")).rejects.toThrow(/onnx\/missing.onnx: could not be fetched from .*: HTTP 404/);
  });

  it("over quota: the model still loads, in memory, with a notice", async () => {
    const { fetchImpl } = server();
    const loaded = files({ storage: memoryStorage({ failPut: true }).storage, fetch: fetchImpl });
    expect(await loaded.bytes(FILE)).toEqual(DATA);
    expect(loaded.notices.join("\n")).toMatch(/could not be kept in Cache Storage \(QuotaExceededError: .*kept in memory only/);
  });

  it("Cache Storage blocked or missing: the model loads in memory, with a notice", async () => {
    const { fetchImpl } = server();
    const blocked = files({ storage: memoryStorage({ failOpen: true }).storage, fetch: fetchImpl });
    expect(await blocked.bytes(FILE)).toEqual(DATA);
    expect(blocked.notices.join("\n")).toMatch(/could not be opened \(access to Cache Storage is denied\).*in memory/);
    const missing = files({ storage: null, fetch: fetchImpl });
    expect(await missing.bytes(FILE)).toEqual(DATA);
    expect(missing.notices.join("\n")).toMatch(/Cache Storage is unavailable here/);
    // A lost connection resumes in memory too.
    const cut = server({ cutAfter: 1234 });
    expect(await files({ storage: null, fetch: cut.fetchImpl }).bytes(FILE)).toEqual(DATA);
    expect(cut.gets()).toEqual(["GET -", "GET bytes=1234-"]);
    // Asked not to cache: no cache, and nothing to tell.
    expect(files({ storage: null, fetch: fetchImpl }, false).notices).toEqual([]);
  });
});
