import { describe, expect, it } from "vitest";
import { ModelLoadError, OptionError } from "../errors.ts";
import type { ModelFiles } from "./model-folder.ts";
import { chooseGraph, dtypeOfFile, kvGraphFile, parseDtype, parseVariantManifest, resolveModelSource, variantsFromListing } from "./model-source.ts";

/** A folder that has exactly these files (sizes), counting the size() calls. */
function folder(sizes: Record<string, number>, manifest?: unknown) {
  const asked: string[] = [];
  const files: ModelFiles = {
    origin: "http://host/m/",
    bytes: async (file) => {
      if (file === "onnx/variants.json" && manifest !== undefined) return new TextEncoder().encode(JSON.stringify(manifest));
      throw new ModelLoadError(file, "is missing");
    },
    size: async (file) => {
      asked.push(file);
      if (file === "onnx/variants.json") return manifest === undefined ? undefined : 10;
      return sizes[file];
    },
    externalData: async () => new Uint8Array(),
  };
  return { files, asked };
}

describe("model names", () => {
  const exists = (paths: string[]) => (path: string) => paths.includes(path);
  it("tells URLs, paths and repo ids apart", () => {
    expect(resolveModelSource("https://example.org/m/")).toEqual({ kind: "url", baseUrl: "https://example.org/m/" });
    expect(resolveModelSource("./owner/name", { pathExists: exists([]) })).toEqual({ kind: "path", path: "./owner/name" });
    expect(resolveModelSource("/abs/model", { pathExists: exists([]) })).toEqual({ kind: "path", path: "/abs/model" });
    expect(resolveModelSource("naklitechie/Qwen3-0.6B-diffusion-mdlm-ONNX", { pathExists: exists([]) })).toEqual({
      kind: "hub",
      repo: "naklitechie/Qwen3-0.6B-diffusion-mdlm-ONNX",
      baseUrl: "https://huggingface.co/naklitechie/Qwen3-0.6B-diffusion-mdlm-ONNX/resolve/main/",
      hubUrl: "https://huggingface.co",
    });
  });
  it("a local folder of that name wins over a repo id (Node)", () => {
    expect(resolveModelSource("models/tiny", { pathExists: exists(["models/tiny"]) })).toEqual({ kind: "path", path: "models/tiny" });
  });
  it("points repo ids at another hub", () => {
    expect(resolveModelSource("a/b", { hubUrl: "http://127.0.0.1:9/hub/" })).toMatchObject({ baseUrl: "http://127.0.0.1:9/hub/a/b/resolve/main/" });
    expect(() => resolveModelSource("a/b", { hubUrl: "ftp://x" })).toThrow(OptionError);
    expect(() => resolveModelSource("a/b", { hubUrl: "not a url" })).toThrow(/hubUrl: must be an http\(s\) URL/);
  });
  it("in the browser a path-like name is a URL relative to the page", () => {
    expect(resolveModelSource("./models/dllm-tiny/")).toEqual({ kind: "url", baseUrl: "./models/dllm-tiny/" });
  });
  it("names what is wrong with a bad name", () => {
    expect(() => resolveModelSource("  ")).toThrow(/model: must be a model folder path/);
    expect(() => resolveModelSource("ftp://example.org/m")).toThrow(/must be an http\(s\) URL, got ftp:/);
    for (const bad of ["a/b/c", "-a/b", "a/b-", "a--b/c", "noslash"]) {
      expect(() => resolveModelSource(bad, { pathExists: exists([]) }), bad).toThrow(/neither a model folder .* nor a Hugging Face repo id/);
    }
  });
});

describe("dtypes and graph files", () => {
  it("parses dtypes", () => {
    expect(parseDtype("q4f16")).toBe("q4f16");
    expect(() => parseDtype("int4")).toThrow(/dtype: must be one of fp32, fp16, q4f16, q8, q4, got int4/);
  });
  it("knows the usual file names", () => {
    expect(["model.onnx", "model_fp16_fused.onnx", "model_q4f16_rtn_sym.onnx", "model_quantized.onnx", "model_int8.onnx", "model_q4.onnx"].map((f) => dtypeOfFile(`onnx/${f}`))).toEqual([
      "fp32",
      "fp16",
      "q4f16",
      "q8",
      "q8",
      "q4",
    ]);
    expect(dtypeOfFile("onnx/model_kv.onnx")).toBeUndefined();
    expect(dtypeOfFile("onnx/model_fp16.onnx.data")).toBeUndefined();
  });
  it("reads a hub listing: graphs by dtype, bytes with their data", () => {
    const variants = variantsFromListing([
      { type: "file", path: "onnx/model_fp16_fused.onnx", size: 300 },
      { type: "file", path: "onnx/model_fp16_fused.onnx.data", size: 1_500_000 },
      { type: "file", path: "onnx/model_q4f16_rtn_sym.onnx", size: 400 },
      { type: "file", path: "onnx/model_q4f16_rtn_sym.onnx_data", size: 680_000 },
      { type: "file", path: "onnx/model_fp16.onnx", size: 10 },
      { type: "file", path: "onnx/model_kv.onnx", size: 5 },
      { type: "directory", path: "onnx/sub", size: 0 },
    ]);
    expect(variants).toEqual([
      { dtype: "fp16", file: "onnx/model_fp16.onnx", bytes: 10 },
      { dtype: "fp16", file: "onnx/model_fp16_fused.onnx", bytes: 1_500_300 },
      { dtype: "q4f16", file: "onnx/model_q4f16_rtn_sym.onnx", bytes: 680_400 },
    ]);
  });
  it("checks the manifest", () => {
    const good = { default: { webgpu: "fp16" }, variants: [{ dtype: "fp16", file: "onnx/a.onnx", bytes: 5, backends: ["webgpu"] }] };
    expect(parseVariantManifest(good)).toEqual(good);
    expect(() => parseVariantManifest({ variants: [] })).toThrow(/onnx\/variants.json: "variants" must be a non-empty list/);
    expect(() => parseVariantManifest({ variants: [{ dtype: "fp8", file: "onnx/a.onnx" }] })).toThrow(/variants\[0\].dtype/);
    expect(() => parseVariantManifest({ variants: [{ dtype: "fp16", file: "../a.onnx" }] })).toThrow(/not a file name inside the model folder/);
    expect(() => parseVariantManifest({ ...good, default: { webgpu: "q4" } })).toThrow(/"default".webgpu is "q4", which no variant has/);
    expect(() => parseVariantManifest({ ...good, default: { gpu: "fp16" } })).toThrow(/unknown backend "gpu"/);
  });
});

describe("choosing the graph", () => {
  it("probes the usual names of the dtype asked for, in order", async () => {
    const { files, asked } = folder({ "onnx/model_q4f16_rtn_sym.onnx": 7, "onnx/model.onnx": 9 });
    expect(await chooseGraph(files, { dtype: "q4f16" })).toEqual({ dtype: "q4f16", file: "onnx/model_q4f16_rtn_sym.onnx", bytes: 7 });
    expect(asked).toEqual(["onnx/variants.json", "onnx/model_q4f16.onnx", "onnx/model_q4f16_rtn_sym.onnx"]);
  });
  it("defaults to fp32, else fp16, else q4f16", async () => {
    expect((await chooseGraph(folder({ "onnx/model_fp16.onnx": 1, "onnx/model.onnx": 2 }).files)).dtype).toBe("fp32");
    expect((await chooseGraph(folder({ "onnx/model_q4f16.onnx": 1, "onnx/model_fp16_fused.onnx": 2 }).files)).file).toBe("onnx/model_fp16_fused.onnx");
    expect((await chooseGraph(folder({ "onnx/model_q4f16.onnx": 1, "onnx/model_q4.onnx": 2 }).files)).dtype).toBe("q4f16");
  });
  it("a missing dtype lists the dtypes the folder has", async () => {
    const { files } = folder({ "onnx/model_fp16_fused.onnx": 1, "onnx/model_int8.onnx": 2 });
    await expect(chooseGraph(files, { dtype: "q4f16" })).rejects.toThrow(/http:\/\/host\/m\/: has no q4f16 graph \(it has fp16, q8\)/);
    await expect(chooseGraph(folder({}).files)).rejects.toThrow(/has no graph to choose by default .*no ONNX graph under onnx\//);
  });
  it("the folder's manifest wins, with its default for the backend", async () => {
    const manifest = {
      default: { webgpu: "fp16", cpu: "q8" },
      variants: [
        { dtype: "fp16", file: "onnx/custom_fp16.onnx", bytes: 100 },
        { dtype: "q8", file: "onnx/custom_int8.onnx", bytes: 50 },
      ],
    };
    const { files, asked } = folder({ "onnx/model.onnx": 1 }, manifest);
    expect((await chooseGraph(files, { backend: "webgpu" })).file).toBe("onnx/custom_fp16.onnx");
    expect((await chooseGraph(files, { backend: "cpu" })).file).toBe("onnx/custom_int8.onnx");
    expect((await chooseGraph(files, { backend: "wasm" })).file).toBe("onnx/custom_fp16.onnx");
    await expect(chooseGraph(files, { dtype: "fp32" })).rejects.toThrow(/has no fp32 graph \(it has fp16, q8\)/);
    expect(asked.every((file) => file === "onnx/variants.json")).toBe(true);
  });
  it("asks the hub's listing for a repo, and probes when it fails", async () => {
    const source = { kind: "hub", repo: "o/n", baseUrl: "http://hub/o/n/resolve/main/", hubUrl: "http://hub" } as const;
    const urls: string[] = [];
    const listing = [{ type: "file", path: "onnx/model_q4f16_rtn_sym.onnx", size: 3 }, { type: "file", path: "onnx/model_q4f16_rtn_sym.onnx.data", size: 4 }];
    const http = async (url: string) => {
      urls.push(url);
      return new Response(JSON.stringify(listing), { headers: { "content-type": "application/json" } });
    };
    const { files, asked } = folder({});
    expect(await chooseGraph(files, { source, http })).toEqual({ dtype: "q4f16", file: "onnx/model_q4f16_rtn_sym.onnx", bytes: 7 });
    expect(urls).toEqual(["http://hub/api/models/o/n/tree/main/onnx"]);
    expect(asked).toEqual(["onnx/variants.json"]);
    const down = async () => new Response("no", { status: 500 });
    expect((await chooseGraph(folder({ "onnx/model_fp16.onnx": 1 }).files, { source, http: down })).file).toBe("onnx/model_fp16.onnx");
  });
  it("a known list (the catalog's) is used without asking anyone", async () => {
    const { files } = folder({});
    const known = [{ dtype: "q4f16", file: "onnx/model_q4f16_rtn_sym.onnx" }] as const;
    expect(await chooseGraph(files, { known: [...known], dtype: "q4f16" })).toEqual(known[0]);
  });
  it("a dtype the known list lacks is still looked for in the folder", async () => {
    const known = [{ dtype: "q4f16", file: "onnx/model_q4f16_rtn_sym.onnx" }] as const;
    expect(await chooseGraph(folder({ "onnx/model.onnx": 5 }).files, { known: [...known], dtype: "fp32" })).toEqual({ dtype: "fp32", file: "onnx/model.onnx", bytes: 5 });
    await expect(chooseGraph(folder({}).files, { known: [...known], dtype: "fp16" })).rejects.toThrow(/has no fp16 graph/);
  });
});

describe("the KV-cache twin", () => {
  it("is the int8 one for a q8 graph when the folder has it", async () => {
    const both = folder({ "onnx/model_kv.onnx": 1, "onnx/model_kv_quantized.onnx": 1 }).files;
    expect(await kvGraphFile(both, { dtype: "q8", file: "onnx/model_quantized.onnx" })).toBe("onnx/model_kv_quantized.onnx");
    expect(await kvGraphFile(both, { dtype: "fp32", file: "onnx/model.onnx" })).toBe("onnx/model_kv.onnx");
    expect(await kvGraphFile(folder({ "onnx/model_kv.onnx": 1 }).files, { dtype: "q8", file: "onnx/model_quantized.onnx" })).toBe("onnx/model_kv.onnx");
  });
});
