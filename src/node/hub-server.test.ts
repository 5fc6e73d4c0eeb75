/**
 * The local hub against Node's fetch: files with their headers, Range and its edge cases, HEAD,
 * JSON 404s, CORS and CORP, the tree listing, and the test faults (rate limit, cut connection).
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRange, startHubServer, type HubServer } from "./hub-server.ts";

const DATA = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31 + (i >> 10)) % 256));
const SHA = createHash("sha256").update(DATA).digest("hex");

describe("local hub server", () => {
  let root: string;
  let hub: HubServer;
  let base: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "hub-"));
    mkdirSync(join(root, "test/tiny/onnx/deep"), { recursive: true });
    writeFileSync(join(root, "test/tiny/config.json"), '{"vocab_size": 8}');
    writeFileSync(join(root, "test/tiny/onnx/model.onnx.data"), DATA);
    writeFileSync(join(root, "test/tiny/onnx/deep/x.bin"), "x");
    writeFileSync(join(root, "secret.txt"), "outside the repos");
    hub = await startHubServer({ root });
    base = `${hub.url}/test/tiny/resolve/main/`;
  });
  afterAll(async () => {
    await hub?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("serves a file with its length, SHA-256 ETag, range support, CORS and CORP", async () => {
    const response = await fetch(`${base}onnx/model.onnx.data`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(DATA)).toBe(true);
    const headers = Object.fromEntries(response.headers);
    expect(headers).toMatchObject({
      "content-length": String(DATA.byteLength),
      etag: `"${SHA}"`,
      "accept-ranges": "bytes",
      "content-type": "application/octet-stream",
      "access-control-allow-origin": "*",
      "cross-origin-resource-policy": "cross-origin",
    });
    for (const name of ["Content-Length", "Content-Range", "ETag"]) expect(headers["access-control-expose-headers"]).toContain(name);
    const json = await fetch(`${base}config.json`);
    expect(json.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await json.json()).toEqual({ vocab_size: 8 });
  });

  it("answers Range requests with 206 and Content-Range, and 416 past the end", async () => {
    const tail = await fetch(`${base}onnx/model.onnx.data`, { headers: { range: "bytes=299000-" } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get("content-range")).toBe(`bytes 299000-299999/300000`);
    expect(tail.headers.get("content-length")).toBe("1000");
    expect(Buffer.from(await tail.arrayBuffer()).equals(DATA.subarray(299000))).toBe(true);
    const middle = await fetch(`${base}onnx/model.onnx.data`, { headers: { range: "bytes=10-19" } });
    expect(Buffer.from(await middle.arrayBuffer()).equals(DATA.subarray(10, 20))).toBe(true);
    const suffix = await fetch(`${base}onnx/model.onnx.data`, { headers: { range: "bytes=-5" } });
    expect(suffix.headers.get("content-range")).toBe("bytes 299995-299999/300000");
    const past = await fetch(`${base}onnx/model.onnx.data`, { headers: { range: "bytes=300000-" } });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBeNull();
    expect((await past.json()).error).toMatch(/Range not satisfiable/);
    // If-Range with another version: the whole (new) file.
    const stale = await fetch(`${base}onnx/model.onnx.data`, { headers: { range: "bytes=10-", "if-range": '"old"' } });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
    const unchanged = await fetch(`${base}onnx/model.onnx.data`, { headers: { "if-none-match": `"${SHA}"` } });
    expect(unchanged.status).toBe(304);
  });

  it("parses ranges as RFC 9110 says", () => {
    expect(parseRange("bytes=0-", 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange("bytes=5-100", 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange("bytes=-3", 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange("bytes=-30", 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange("bytes=10-", 10)).toBe("unsatisfiable");
    expect(parseRange("bytes=-0", 10)).toBe("unsatisfiable");
    expect(parseRange("bytes=5-2", 10)).toBeNull();
    expect(parseRange("bytes=0-1,4-5", 10)).toBeNull();
    expect(parseRange(undefined, 10)).toBeNull();
  });

  it("answers HEAD with the headers and no body", async () => {
    const head = await fetch(`${base}onnx/model.onnx.data`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(DATA.byteLength));
    expect(head.headers.get("etag")).toBe(`"${SHA}"`);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it("answers a missing file, repo, revision or an escape with a JSON 404, never HTML", async () => {
    for (const [url, code] of [
      [`${base}onnx/missing.onnx`, "EntryNotFound"],
      [`${base}onnx`, "EntryNotFound"],
      [`${hub.url}/test/nothing/resolve/main/config.json`, "RepoNotFound"],
      [`${hub.url}/test/tiny/resolve/v2/config.json`, "RevisionNotFound"],
      [`${hub.url}/test/tiny/resolve/main/..%2F..%2Fsecret.txt`, "EntryNotFound"],
    ] as const) {
      const response = await fetch(url);
      expect(response.status, url).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expect(response.headers.get("x-error-code"), url).toBe(code);
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(typeof (await response.json()).error).toBe("string");
    }
    const head = await fetch(`${base}missing.json`, { method: "HEAD" });
    expect(head.status).toBe(404);
  });

  it("answers CORS preflights", async () => {
    const response = await fetch(`${base}config.json`, {
      method: "OPTIONS",
      headers: { origin: "http://page.test", "access-control-request-method": "GET", "access-control-request-headers": "range,if-range" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-headers")).toBe("range,if-range");
    expect(response.headers.get("access-control-allow-methods")).toContain("GET");
  });

  it("lists a folder as the hub's tree endpoint does", async () => {
    const top = await (await fetch(`${hub.url}/api/models/test/tiny/tree/main`)).json();
    expect(top.map((entry: { type: string; path: string; size: number }) => [entry.type, entry.path, entry.size])).toEqual([
      ["file", "config.json", 17],
      ["directory", "onnx", 0],
    ]);
    const onnx = await (await fetch(`${hub.url}/api/models/test/tiny/tree/main/onnx`)).json();
    expect(onnx.map((entry: { path: string }) => entry.path)).toEqual(["onnx/deep", "onnx/model.onnx.data"]);
    expect(onnx[1]).toMatchObject({ type: "file", size: DATA.byteLength, oid: expect.stringMatching(/^[0-9a-f]{40}$/) });
    const all = await (await fetch(`${hub.url}/api/models/test/tiny/tree/main?recursive=true`)).json();
    expect(all.map((entry: { path: string }) => entry.path)).toContain("onnx/deep/x.bin");
    const missing = await fetch(`${hub.url}/api/models/test/tiny/tree/main/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "Entry not found: nope" });
  });

  it("cuts a download once after N bytes, and logs every request", async () => {
    hub.cutOnce("test/tiny/onnx/model.onnx.data", 100_000);
    const before = hub.requests.length;
    const cut = await fetch(`${base}onnx/model.onnx.data`);
    expect(cut.status).toBe(200);
    await expect(cut.arrayBuffer()).rejects.toThrow();
    const resumed = await fetch(`${base}onnx/model.onnx.data`, { headers: { range: "bytes=100000-" } });
    expect(Buffer.from(await resumed.arrayBuffer()).equals(DATA.subarray(100_000))).toBe(true);
    expect(hub.requests.slice(before).map(({ method, path, range, status, bytesSent }) => ({ method, path, range, status, bytesSent }))).toEqual([
      { method: "GET", path: "/test/tiny/resolve/main/onnx/model.onnx.data", range: null, status: 200, bytesSent: 100_000 },
      { method: "GET", path: "/test/tiny/resolve/main/onnx/model.onnx.data", range: "bytes=100000-", status: 206, bytesSent: 200_000 },
    ]);
  });

  it("limits the byte rate", async () => {
    const slow = await startHubServer({ root, bytesPerSecond: 1_000_000 });
    try {
      const started = performance.now();
      const response = await fetch(`${slow.url}/test/tiny/resolve/main/onnx/model.onnx.data`);
      expect((await response.arrayBuffer()).byteLength).toBe(DATA.byteLength);
      // 300 kB at 1 MB/s: about 0.3 s.
      expect(performance.now() - started).toBeGreaterThan(250);
    } finally {
      await slow.close();
    }
  });
});
