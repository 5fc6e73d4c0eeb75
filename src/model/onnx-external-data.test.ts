import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ModelLoadError } from "../errors.ts";
import { DEFAULT_MODEL_PATH } from "../node/model.ts";
import { externalTensor, gatherGraph, modelProto, pbBytes, pbInt, pbMessage } from "../node/fake-export.ts";
import type { ModelFiles } from "./model-folder.ts";
import { besideGraph, externalDataLocations, loadGraphSource } from "./onnx-external-data.ts";

/** ModelFiles over an in-memory map, as the browser's would hand out bytes. */
function memoryFiles(contents: Record<string, Uint8Array>): ModelFiles {
  const get = async (file: string) => {
    const bytes = contents[file];
    if (!bytes) throw new ModelLoadError(file, "is missing");
    return bytes;
  };
  return { origin: "memory:", bytes: get, externalData: get, size: async (file) => contents[file]?.byteLength };
}

describe("external data locations", () => {
  it("lists each file the initializers name, once, in order", () => {
    const graph = modelProto([
      pbBytes(5, externalTensor("a", [2, 2], "model.onnx.data", 0, 16)),
      pbBytes(5, externalTensor("b", [4], "model.onnx.data", 16, 16)),
      pbBytes(5, externalTensor("c", [4], "model.onnx.data_1", 0, 16)),
      // An initializer with its data inline (raw_data) names no file.
      pbBytes(5, pbMessage(pbInt(1, 1), pbInt(2, 1), pbBytes(8, "d"), pbBytes(9, new Uint8Array(4)))),
    ]);
    expect(externalDataLocations(graph, "onnx/model.onnx")).toEqual(["model.onnx.data", "model.onnx.data_1"]);
  });

  it("ignores external_data entries when data_location is not EXTERNAL", () => {
    const entry = pbBytes(13, pbMessage(pbBytes(1, "location"), pbBytes(2, "stale.data")));
    const graph = modelProto([pbBytes(5, pbMessage(pbBytes(8, "w"), entry, pbInt(14, 0)))]);
    expect(externalDataLocations(graph, "g.onnx")).toEqual([]);
  });

  it("finds the data file of a graph built like an exporter's", () => {
    const { graph } = gatherGraph([1, 0], 2, "model_fp16.onnx.data");
    expect(externalDataLocations(graph, "onnx/model_fp16.onnx")).toEqual(["model_fp16.onnx.data"]);
    expect(externalDataLocations(gatherGraph([1, 0], 2).graph, "onnx/model.onnx")).toEqual([]);
  });

  it("the shipped dllm-tiny graph is self-contained", () => {
    const graph = new Uint8Array(readFileSync(join(DEFAULT_MODEL_PATH, "onnx/model.onnx")));
    expect(externalDataLocations(graph, "onnx/model.onnx")).toEqual([]);
  });

  it("rejects data outside the graph's folder and damaged protobuf, naming the graph", () => {
    const outside = modelProto([pbBytes(5, externalTensor("w", [1], "../secret.data", 0, 4))]);
    expect(() => externalDataLocations(outside, "onnx/model.onnx")).toThrow(/onnx\/model.onnx: names external data outside its folder: "..\/secret.data"/);
    const absolute = modelProto([pbBytes(5, externalTensor("w", [1], "/etc/passwd", 0, 4))]);
    expect(() => externalDataLocations(absolute, "g.onnx")).toThrow(ModelLoadError);
    const { graph } = gatherGraph([1, 0], 2, "w.data");
    expect(() => externalDataLocations(graph.subarray(0, graph.length - 3), "onnx/model.onnx")).toThrow(/onnx\/model.onnx: is not a valid ONNX protobuf/);
    expect(() => externalDataLocations(new Uint8Array([0x0b]), "g.onnx")).toThrow(/unsupported wire type 3/);
  });

  it("places a location beside its graph", () => {
    expect(besideGraph("onnx/model.onnx", "model.onnx.data")).toBe("onnx/model.onnx.data");
    expect(besideGraph("model.onnx", "w.bin")).toBe("w.bin");
  });
});

describe("loadGraphSource", () => {
  const { graph, data } = gatherGraph([1, 0], 2, "model_q4f16.onnx.data");
  it("hands graph and data over as separate buffers when files give bytes", async () => {
    const files = memoryFiles({ "onnx/model_q4f16.onnx": graph, "onnx/model_q4f16.onnx.data": data! });
    const source = await loadGraphSource(files, "onnx/model_q4f16.onnx");
    expect(source.name).toBe("onnx/model_q4f16.onnx");
    expect(source.graph).toBe(graph);
    expect(source.externalData).toEqual([{ path: "model_q4f16.onnx.data", data }]);
  });
  it("a graph without external data has none listed", async () => {
    const plain = gatherGraph([1, 0], 2).graph;
    expect(await loadGraphSource(memoryFiles({ "onnx/model.onnx": plain }), "onnx/model.onnx")).toEqual({ name: "onnx/model.onnx", graph: plain });
  });
  it("a missing data file is named before any session opens", async () => {
    await expect(loadGraphSource(memoryFiles({ "onnx/model_q4f16.onnx": graph }), "onnx/model_q4f16.onnx")).rejects.toThrow(
      /onnx\/model_q4f16.onnx.data: is missing from memory: \(onnx\/model_q4f16.onnx keeps its weights there\)/,
    );
  });
});
