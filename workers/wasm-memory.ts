/**
 * onnxruntime-web keeps its heap in a WebAssembly.Memory it constructs itself and does not
 * expose. Counting the memories constructed in this worker is how a long session can report
 * the WASM heap's size (the page's diagnostics, the soak test). Memories a module exports
 * without constructing them are not seen.
 */
const memories: WeakRef<WebAssembly.Memory>[] = [];
let tracking = false;

/** Wraps the WebAssembly.Memory constructor; call before onnxruntime is imported. */
export function trackWasmMemory(): void {
  if (tracking) return;
  tracking = true;
  const Memory = WebAssembly.Memory;
  const counted = new Proxy(Memory, {
    construct(target, args: [WebAssembly.MemoryDescriptor], newTarget) {
      const memory = Reflect.construct(target, args, newTarget) as WebAssembly.Memory;
      memories.push(new WeakRef(memory));
      return memory;
    },
  });
  Reflect.set(WebAssembly, "Memory", counted);
}

/** Bytes of every live WASM memory constructed since tracking began, or null when there is none. */
export function wasmMemoryBytes(): number | null {
  const live = memories.map((ref) => ref.deref()).filter((memory) => memory !== undefined);
  return live.length === 0 ? null : live.reduce((sum, memory) => sum + memory.buffer.byteLength, 0);
}
