import { describe, expect, it } from "vitest";
import { formatBytes, isFull } from "./datastore-limit.ts";

describe("isFull", () => {
  const limit = 1000;
  const cases: [bytes: number, wasFull: boolean, full: boolean][] = [
    [999, false, false],
    [1000, false, true],
    [950, true, true],
    [900, true, true],
    [899, true, false],
  ];
  for (const [bytes, wasFull, full] of cases) {
    it(`${bytes} of ${limit} bytes, ${wasFull ? "full" : "not full"} before: ${full ? "full" : "not full"}`, () => {
      expect(isFull(bytes, limit, wasFull)).toBe(full);
    });
  }
});

describe("formatBytes", () => {
  it("names the largest unit that keeps a number of at least 1", () => {
    expect([formatBytes(512), formatBytes(100 * 1024), formatBytes(64 * 1024 ** 2), formatBytes(1.5 * 1024 ** 3)]).toEqual(["512 B", "100.0 KiB", "64.0 MiB", "1.5 GiB"]);
  });
});
