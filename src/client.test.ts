/**
 * The library client's handling of a worker that crashes or is replaced, with a stand-in
 * worker: a MessageChannel port serving a fake engine API through comlink.
 */
import * as Comlink from "comlink";
import { describe, expect, it } from "vitest";
import type { EngineWorkerApi } from "../workers/api.ts";
import { InferenceError, WorkerCrashError } from "./errors.ts";
import { createDllmClient } from "./index.ts";

/** A Worker look-alike: messages over a MessageChannel, and an `error` event a test can fire. */
function fakeWorker(api: Partial<EngineWorkerApi>) {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(api, port2 as unknown as Comlink.Endpoint);
  const errors = new EventTarget();
  let terminated = false;
  const worker = {
    postMessage: (message: unknown, transfer: Transferable[] = []) => port1.postMessage(message, transfer as never),
    addEventListener: (type: string, listener: EventListener) => (type === "error" ? errors : port1).addEventListener(type, listener),
    removeEventListener: (type: string, listener: EventListener) => (type === "error" ? errors : port1).removeEventListener(type, listener),
    start: () => port1.start(),
    terminate: () => {
      terminated = true;
      port1.close();
    },
  };
  port1.start();
  const crash = (message: string) => errors.dispatchEvent(Object.assign(new Event("error", { cancelable: true }), { message }));
  return { worker: worker as unknown as Worker, crash, isTerminated: () => terminated };
}

const never = () => new Promise<never>(() => {});
const diagnostics = () => ({ liveTensors: 0, tensorsSeen: 0, jsHeapBytes: null, wasmMemoryBytes: null });

describe("client and its worker", () => {
  it("a crash fails the call in flight and later calls with WorkerCrashError; restart() brings a working worker", async () => {
    const made: ReturnType<typeof fakeWorker>[] = [];
    const client = createDllmClient(() => {
      made.push(fakeWorker({ generate: never, diagnostics }));
      return made.at(-1)!.worker;
    });
    const heard: WorkerCrashError[] = [];
    client.onCrash((error) => heard.push(error));
    const running = client.generate("hi");
    await expect(client.diagnostics()).resolves.toMatchObject({ liveTensors: 0 });
    made[0]!.crash("RuntimeError: memory access out of bounds");
    const error = await running.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashError);
    expect((error as Error).message).toBe("the engine worker crashed: RuntimeError: memory access out of bounds");
    expect(heard).toEqual([error]);
    expect(made[0]!.isTerminated()).toBe(true);
    await expect(client.diagnostics()).rejects.toBeInstanceOf(WorkerCrashError);

    client.restart();
    expect(made).toHaveLength(2);
    await expect(client.diagnostics()).resolves.toMatchObject({ liveTensors: 0 });
    client.terminate();
  });

  it("restart() or terminate() fails the calls in flight instead of leaving them waiting", async () => {
    const client = createDllmClient(() => fakeWorker({ generate: never, diagnostics }).worker);
    const running = client.generate("hi");
    client.restart();
    await expect(running).rejects.toBeInstanceOf(InferenceError);
    const next = client.generate("hi");
    client.terminate();
    await expect(next).rejects.toThrow(/the engine worker was stopped/);
    await expect(client.diagnostics()).rejects.toThrow(/the engine worker was stopped/);
  });

  it("a client made from a Worker object cannot restart it", () => {
    const client = createDllmClient(fakeWorker({ diagnostics }).worker);
    expect(() => client.restart()).toThrow(/pass a function that makes the worker/);
    client.terminate();
  });
});
