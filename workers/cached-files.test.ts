/**
 * Cache Storage faults, with an in-memory CacheStorage and fetch: unavailable, failing to
 * open, over quota, and a stored copy whose bytes no longer match its recorded size or hash.
 */
import { describe, expect, it } from "vitest";
import { cachedModelFiles, MODEL_CACHE_NAME } from "./cached-files.ts";

const BASE = "http://models.test/tiny/";
const URL_OF = `${BASE}onnx/model.onnx`;
const MODEL = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7) % 251);

/** A server with one file; counts GETs so a test can tell a download from a cache hit. */
function server(etag = '"v1"') {
  const calls = { get: 0 };
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    if (String(input) !== URL_OF) return new Response(null, { status: 404 });
    const headers = { etag, "content-length": String(MODEL.byteLength), "content-type": "application/octet-stream" };
    if (init?.method === "HEAD") return new Response(null, { headers });
    calls.get++;
    return new Response(MODEL.slice(), { headers });
  }) as typeof fetch;
  return { fetchImpl, calls };
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

describe("model files in Cache Storage", () => {
  it("stores a download with its size and hash, and serves the next load from the cache", async () => {
    const { fetchImpl, calls } = server();
    const { storage, entries } = memoryStorage();
    const first = cachedModelFiles(BASE, true, { storage, fetch: fetchImpl });
    expect(await first.bytes("onnx/model.onnx")).toEqual(MODEL);
    expect(entries.get(URL_OF)!.headers.get("x-dllm-sha256")).toMatch(/^[0-9a-f]{64}$/);
    const second = cachedModelFiles(BASE, true, { storage, fetch: fetchImpl });
    expect(await second.bytes("onnx/model.onnx")).toEqual(MODEL);
    expect(calls.get).toBe(1);
    expect(second.cachedFiles.has("onnx/model.onnx")).toBe(true);
    expect(second.notices).toEqual([]);
  });

  it("discards a cached copy whose bytes changed (same size) and downloads it again", async () => {
    const { fetchImpl, calls } = server();
    const { storage, entries } = memoryStorage();
    await cachedModelFiles(BASE, true, { storage, fetch: fetchImpl }).bytes("onnx/model.onnx");
    entries.get(URL_OF)!.body[100]! ^= 0xff;
    const files = cachedModelFiles(BASE, true, { storage, fetch: fetchImpl });
    expect(await files.bytes("onnx/model.onnx")).toEqual(MODEL);
    expect(calls.get).toBe(2);
    expect(files.cachedFiles.size).toBe(0);
    expect(files.notices.join("\n")).toMatch(/cached onnx\/model.onnx was damaged \(its SHA-256 does not match.*downloaded again/);
    // The fresh copy replaced it: the next load is a clean cache hit.
    const again = cachedModelFiles(BASE, true, { storage, fetch: fetchImpl });
    await again.bytes("onnx/model.onnx");
    expect(again.cachedFiles.has("onnx/model.onnx")).toBe(true);
    expect(again.notices).toEqual([]);
  });

  it("discards a cached copy shorter than its recorded size and downloads it again", async () => {
    const { fetchImpl, calls } = server();
    const { storage, entries } = memoryStorage();
    await cachedModelFiles(BASE, true, { storage, fetch: fetchImpl }).bytes("onnx/model.onnx");
    const stored = entries.get(URL_OF)!;
    stored.body = stored.body.slice(0, 1000);
    const files = cachedModelFiles(BASE, true, { storage, fetch: fetchImpl });
    expect(await files.bytes("onnx/model.onnx")).toEqual(MODEL);
    expect(calls.get).toBe(2);
    expect(files.notices.join("\n")).toMatch(/damaged \(.*truncated: got 1000 of 4096 bytes\)/);
  });

  it("downloads again, without a notice, when the server has a new version", async () => {
    const { storage } = memoryStorage();
    await cachedModelFiles(BASE, true, { storage, fetch: server('"v1"').fetchImpl }).bytes("onnx/model.onnx");
    const updated = server('"v2"');
    const files = cachedModelFiles(BASE, true, { storage, fetch: updated.fetchImpl });
    await files.bytes("onnx/model.onnx");
    expect(updated.calls.get).toBe(1);
    expect(files.notices).toEqual([]);
  });

  it("over quota: the model still loads, in memory, with a notice", async () => {
    const { fetchImpl } = server();
    const { storage } = memoryStorage({ failPut: true });
    const files = cachedModelFiles(BASE, true, { storage, fetch: fetchImpl });
    expect(await files.bytes("onnx/model.onnx")).toEqual(MODEL);
    expect(files.notices.join("\n")).toMatch(/could not be kept in Cache Storage \(QuotaExceededError: .*kept in memory only/);
  });

  it("Cache Storage blocked or missing: the model loads in memory, with a notice", async () => {
    const { fetchImpl } = server();
    const blocked = cachedModelFiles(BASE, true, { storage: memoryStorage({ failOpen: true }).storage, fetch: fetchImpl });
    expect(await blocked.bytes("onnx/model.onnx")).toEqual(MODEL);
    expect(blocked.notices.join("\n")).toMatch(/could not be opened \(access to Cache Storage is denied\).*in memory/);
    const missing = cachedModelFiles(BASE, true, { storage: null, fetch: fetchImpl });
    expect(await missing.bytes("onnx/model.onnx")).toEqual(MODEL);
    expect(missing.notices.join("\n")).toMatch(/Cache Storage is unavailable here/);
    // Asked not to cache: no cache, and nothing to tell.
    expect(cachedModelFiles(BASE, false, { storage: null, fetch: fetchImpl }).notices).toEqual([]);
  });
});
