import { describe, expect, it } from "vitest";
import { appCacheName, ISOLATION_SOURCE_HEADER, precacheKey, routeOf, staleAppCaches, withIsolationHeaders } from "./app-cache.ts";

const origin = "https://example.org";
const precached = new Set([precacheKey(`${origin}/app/index.html`), precacheKey(`${origin}/app/assets/main-abc.js`)]);
const request = (url: string, init: { method?: string; mode?: string; destination?: string; range?: boolean } = {}) => ({
  url,
  method: init.method ?? "GET",
  mode: init.mode ?? "cors",
  destination: init.destination ?? "",
  headers: new Headers(init.range ? { range: "bytes=0-" } : {}),
});

describe("service worker rules", () => {
  it("names one cache per deploy and deletes only earlier deploys' caches", () => {
    const current = appCacheName("new");
    expect(staleAppCaches(["dllm-app-old", current, "dllm-model-files-v1", "other-site"], current)).toEqual(["dllm-app-old"]);
  });

  it("keys a request by its URL without the settings in its query, a folder by its index.html", () => {
    expect(precacheKey(`${origin}/app/?seed=3&prompt=x#top`)).toBe(`${origin}/app/index.html`);
    expect(precacheKey(`${origin}/app/assets/main-abc.js?v=1`)).toBe(`${origin}/app/assets/main-abc.js`);
  });

  it("answers pages and the deploy's files; leaves model files, ranges, other origins and non-GET to the browser", () => {
    expect(routeOf(request(`${origin}/app/?seed=1`, { mode: "navigate" }), origin, precached)).toBe("navigation");
    expect(routeOf(request(`${origin}/app/assets/main-abc.js`), origin, precached)).toBe("precached");
    expect(routeOf(request(`${origin}/app/models/dllm-tiny/onnx/model.onnx`), origin, precached)).toBe("network");
    expect(routeOf(request(`${origin}/app/assets/main-abc.js`, { range: true }), origin, precached)).toBe("network");
    expect(routeOf(request("https://huggingface.co/x/resolve/main/onnx/model.onnx"), origin, precached)).toBe("network");
    expect(routeOf(request(`${origin}/app/assets/main-abc.js`, { method: "HEAD" }), origin, precached)).toBe("network");
  });

  it("gives a newer deploy's code, which the list lacks, COOP/COEP from the network (a worker script without COEP is refused)", () => {
    expect(routeOf(request(`${origin}/app/assets/engine.worker-new.js`, { destination: "worker" }), origin, precached)).toBe("uncached-code");
    expect(routeOf(request(`${origin}/app/assets/main-new.js`, { destination: "script" }), origin, precached)).toBe("uncached-code");
    expect(routeOf(request("https://cdn.example.com/x.js", { destination: "script" }), origin, precached)).toBe("network");
  });

  it("adds COOP/COEP and its marker where the host sent none, keeping status, headers and body", async () => {
    const plain = new Response("<html>", { status: 200, headers: { "content-type": "text/html", etag: '"1"' } });
    const served = withIsolationHeaders(plain);
    expect(served.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(served.headers.get("cross-origin-embedder-policy")).toBe("require-corp");
    expect(served.headers.get(ISOLATION_SOURCE_HEADER)).toBe("service-worker");
    expect(served.headers.get("etag")).toBe('"1"');
    expect(served.status).toBe(200);
    expect(await served.text()).toBe("<html>");
  });

  it("keeps the host's own policy, and bodiless statuses stay bodiless", () => {
    const isolated = new Response("x", { headers: { "cross-origin-embedder-policy": "credentialless" } });
    expect(withIsolationHeaders(isolated)).toBe(isolated);
    const notModified = withIsolationHeaders(new Response(null, { status: 304 }));
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get("cross-origin-embedder-policy")).toBe("require-corp");
  });
});
