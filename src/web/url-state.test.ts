import { describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../decoding/options.ts";
import type { GenerateOptions } from "../decoding/types.ts";
import { modelChoices } from "./model-choices.ts";
import { decodeSharedState, encodeSharedState, type SharedDefaults, type SharedState } from "./url-state.ts";

const defaults: SharedDefaults = { prompt: "Question: default?\nAnswer:\n", model: "dllm-tiny|", options: DEFAULT_OPTIONS };
const context = { modelValues: modelChoices().map((choice) => choice.value) };

function roundTrip(state: SharedState): SharedState {
  const decoded = decodeSharedState(encodeSharedState(state, defaults), context);
  expect(decoded.notices).toEqual([]);
  return decoded.state;
}

describe("settings in the URL", () => {
  it("round-trips every option, the prompt (newlines, unicode, & and =) and the model", () => {
    const options: GenerateOptions = {
      decoder: "fixed",
      genLength: 96,
      blockSize: 32,
      steps: 48,
      remasking: "random",
      threshold: 0.93,
      factor: 1.5,
      delimiterThreshold: Infinity,
      delimiters: ["\n", ".", " "],
      innerRule: "factor",
      temperature: 0.7,
      seed: 4294967295,
      cache: "dual",
    };
    const state: SharedState = {
      prompt: "Q: 2 + 2 = ? & why\n\tA: «quatre» 🙂 ",
      model: "naklitechie/Qwen3-0.6B-diffusion-bd3lm-ONNX|q4f16",
      backend: "wasm",
      options,
    };
    expect(roundTrip(state)).toEqual(state);
  });

  it("round-trips a folder URL with its dtype through the picker's other entry", () => {
    const state: SharedState = { model: "other", url: "https://example.org/models/x/?a=1&b=2", dtype: "q8", options: {} };
    expect(roundTrip(state)).toEqual(state);
  });

  it("leaves defaults out: the page's own state is an empty query", () => {
    expect(encodeSharedState({ prompt: defaults.prompt, model: "dllm-tiny|", backend: "auto", options: { ...DEFAULT_OPTIONS } }, defaults)).toBe("");
    const query = encodeSharedState({ prompt: defaults.prompt, model: "dllm-tiny|", options: { ...DEFAULT_OPTIONS, seed: 7 } }, defaults);
    expect(query).toBe("?seed=7");
    // A delimiter list equal to the default's is a default too, however it was built.
    expect(encodeSharedState({ options: { delimiters: ["\n"], delimiterThreshold: 0.3 } }, defaults)).toBe("");
    expect(encodeSharedState({ options: { delimiterThreshold: Infinity } }, defaults)).toBe("?delimiterThreshold=inf");
  });

  it("keeps the ?hub= parameter other modules own, and does not report it", () => {
    const query = encodeSharedState({ options: { seed: 3 } }, defaults, "?hub=http%3A%2F%2F127.0.0.1%3A9%2F&seed=1");
    expect(new URLSearchParams(query).get("hub")).toBe("http://127.0.0.1:9/");
    expect(new URLSearchParams(query).get("seed")).toBe("3");
    expect(decodeSharedState(query, context)).toEqual({ state: { options: { seed: 3 } }, notices: [] });
  });

  it("ignores bad values and unknown parameters, each with a notice, and keeps the good ones", () => {
    const { state, notices } = decodeSharedState(
      "?seed=-1&genLength=12.5&threshold=0&factor=abc&temperature=&decoder=greedy&cache=full&blockSize=0x10&steps=1e999" +
        "&delimiters=%20&delimiterThreshold=-2&backend=cuda&model=nope%7C&dtype=int3&colour=red&seed=5&remasking=random",
      context,
    );
    expect(state).toEqual({ options: { remasking: "random" } });
    const ignored = notices.map((line) => /^ignored (\w+)=/.exec(line)?.[1]);
    expect(ignored).toEqual([
      "seed",
      "genLength",
      "threshold",
      "factor",
      "temperature",
      "decoder",
      "cache",
      "blockSize",
      "steps",
      "delimiters",
      "delimiterThreshold",
      "backend",
      "model",
      "dtype",
      "colour",
      "seed",
    ]);
    expect(notices[0]).toBe('ignored seed="-1" from the link: must be an integer in [0, 2^32 - 1]');
    expect(notices.at(-2)).toMatch(/colour="red".*not a setting of this page/);
  });

  it("reads a bare folder URL as the other entry, and drops a URL that contradicts a catalog entry", () => {
    expect(decodeSharedState("?url=owner%2Fname", context)).toEqual({ state: { model: "other", url: "owner/name", options: {} }, notices: [] });
    const { state, notices } = decodeSharedState("?model=dllm-tiny%7C&url=owner%2Fname", context);
    expect(state).toEqual({ model: "dllm-tiny|", options: {} });
    expect(notices).toEqual(['ignored url="owner/name" from the link: it needs model=other']);
  });

  it("accepts inf, decimals without a leading digit and exponents the form may write", () => {
    const { state, notices } = decodeSharedState("?delimiterThreshold=Infinity&threshold=.95&temperature=1e-1", context);
    expect(notices).toEqual([]);
    expect(state.options).toEqual({ delimiterThreshold: Infinity, threshold: 0.95, temperature: 0.1 });
  });
});
