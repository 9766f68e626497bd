import { describe, expect, it } from "vitest";
import { milliCPU, parseQuantity } from "./quantity.ts";

describe("parseQuantity", () => {
  it("reads binary and decimal suffixes", () => {
    expect(parseQuantity("4Gi")).toBe(4 * 2 ** 30);
    expect(parseQuantity("512Mi")).toBe(512 * 2 ** 20);
    expect(parseQuantity("1G")).toBe(1e9);
    expect(parseQuantity("1e3")).toBe(1000);
  });
  it("reads CPU as millicores", () => {
    expect(milliCPU("500m")).toBe(500);
    expect(milliCPU("2")).toBe(2000);
    expect(milliCPU("0.1")).toBe(100);
  });
  it("refuses what is not a quantity, saying what is", () => {
    expect(() => parseQuantity("two")).toThrow(/not a Kubernetes quantity.*500m/);
  });
});
