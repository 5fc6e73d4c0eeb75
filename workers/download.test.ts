/**
 * The storage side of downloads: parts cut at exact boundaries from uneven network chunks, the
 * quota check's edge cases, and what the persistence request reports where persist() is missing.
 */
import { describe, expect, it } from "vitest";
import { StorageQuotaError } from "../src/errors.ts";
import { askPersistence, checkRoom, PartWriter, type StoredFile } from "./download.ts";

describe("parts and room", () => {
  it("cuts uneven chunks into parts of exactly partBytes, the last one shorter", async () => {
    const stored: StoredFile = { size: 23, version: '"v"', parts: [], complete: false };
    const writer = new PartWriter(null, "http://x.test/f", stored, [], 5, () => {});
    const data = Uint8Array.from({ length: 23 }, (_, i) => i);
    for (const [from, to] of [[0, 3], [3, 4], [4, 17], [17, 23]] as const) await writer.append(data.subarray(from, to));
    expect(writer.length).toBe(23);
    await writer.finish();
    expect(stored.parts.map((part) => part.size)).toEqual([5, 5, 5, 5, 3]);
    expect(stored).toMatchObject({ size: 23, complete: true });
    expect(new Uint8Array(await new Blob(writer.blobs).arrayBuffer())).toEqual(data);
    await writer.reset(null, undefined);
    expect([writer.length, writer.blobs.length, stored.parts.length]).toEqual([0, 0, 0]);
  });

  it("lets a download go ahead when the estimate cannot be read or has no quota", async () => {
    await expect(checkRoom(null, 1e12)).resolves.toBeUndefined();
    const failing = { estimate: async () => Promise.reject(new Error("no")) } as unknown as StorageManager;
    await expect(checkRoom(failing, 1e12)).resolves.toBeUndefined();
    const unknown = { estimate: async () => ({}) } as unknown as StorageManager;
    await expect(checkRoom(unknown, 1e12)).resolves.toBeUndefined();
    const full = { estimate: async () => ({ quota: 1_500_000_000, usage: 1_400_000_000 }) } as unknown as StorageManager;
    await expect(checkRoom(full, 100_000_000)).resolves.toBeUndefined();
    await expect(checkRoom(full, 100_000_001)).rejects.toThrow(StorageQuotaError);
    await expect(checkRoom(full, 1_234_000_000)).rejects.toThrow(/need 1,234 MB of browser storage but only 100 MB is available \(quota 1,500 MB, 1,400 MB used\)/);
  });

  it("reports persistence: already granted, asked and granted, or not askable from a worker", async () => {
    expect(await askPersistence({ persisted: async () => true } as unknown as StorageManager)).toBeNull();
    expect(await askPersistence({ persisted: async () => false, persist: async () => true } as unknown as StorageManager)).toMatch(/^persistent storage was granted/);
    // A worker's StorageManager has no persist(): only the page can ask.
    expect(await askPersistence({ persisted: async () => false } as unknown as StorageManager)).toMatch(/not granted \(it can only be asked from the page\)/);
    expect(await askPersistence({ persisted: async () => Promise.reject(new Error("denied")) } as unknown as StorageManager)).toMatch(/could not be asked for \(denied\)/);
  });
});
