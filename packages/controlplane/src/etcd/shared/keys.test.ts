import { describe, expect, it } from "vitest";
import { inBatches, parseExportLine, recordLine, headerLine, trailerLine } from "./export-format.ts";
import { checkKeyPrefix, checkTenantId, goQuote, keyArgument, prefixRangeEnd, rewriteKey, tenantKeyPrefix } from "./keys.ts";
import { tenantApiServerFlags } from "./tenant.ts";

describe("tenant ids", () => {
  it.each(["a", "tenant-a", "c0ffee", "a".repeat(63)])("accepts %s", (id) => {
    expect(checkTenantId(id)).toBe(id);
  });
  it.each(["", "A", "-a", "a-", "a/b", "a.b", "a_b", "a".repeat(64), "root"])("refuses %j, naming the field", (id) => {
    expect(() => checkTenantId(id, "spec.id")).toThrow(/spec\.id/);
  });
  it("gives a prefix with a trailing slash, so /a/ never covers /aa/", () => {
    expect(tenantKeyPrefix("a")).toBe("/a/");
    const end = prefixRangeEnd("/a/");
    expect(end).toBe("/a0");
    const inRange = (key: string): boolean => key >= "/a/" && key < end;
    expect(["/a/x", "/a/", "/aa/x", "/a", "/a0", "/b/x"].map(inRange)).toEqual([true, true, false, false, false, false]);
  });
  it("gives the kube-apiserver flags of a tenant", () => {
    expect(tenantApiServerFlags("tenant-a")).toEqual({ "etcd-prefix": "/tenant-a", "etcd-compaction-interval": "0" });
  });
});

describe("key prefixes", () => {
  it.each(["/registry/", "/tenant-c/registry/", "/a/"])("accepts %s", (p) => {
    expect(checkKeyPrefix(p)).toBe(p);
  });
  it.each(["", "/", "//", "registry/", "/registry", "/a b/", "/é/"])("refuses %j", (p) => {
    expect(() => checkKeyPrefix(p, "toPrefix")).toThrow(/toPrefix/);
  });
  it("rewrites a key's prefix and refuses a key outside it", () => {
    expect(rewriteKey(Buffer.from("/registry/pods/x"), "/registry/", "/t/").toString()).toBe("/t/pods/x");
    expect(() => rewriteKey(Buffer.from("/other/x"), "/registry/", "/t/")).toThrow(/fromPrefix/);
  });
});

describe("etcdctl arguments", () => {
  it("quotes any bytes the way Go's %q reads them back", () => {
    expect(goQuote(Buffer.from([0x61, 0x22, 0x5c, 0x0a, 0x00, 0xff, 0x20]))).toBe('"a\\x22\\x5c\\x0a\\x00\\xff "');
    expect(goQuote(Buffer.alloc(0))).toBe('""');
  });
  it("refuses a key that cannot be a command-line argument", () => {
    expect(keyArgument(Buffer.from("/a/b"))).toBe("/a/b");
    expect(() => keyArgument(Buffer.from([0x2f, 0x00]))).toThrow(/NUL/);
    expect(() => keyArgument(Buffer.from([0x2f, 0xff]))).toThrow(/UTF-8/);
  });
});

describe("the export format", () => {
  it("reads back what it writes", () => {
    const header = { id: "a", prefix: "/a/", revision: 7, keys: 1, takenAt: "2026-01-01T00:00:00.000Z" };
    expect(parseExportLine(headerLine(header).trimEnd(), 1)).toEqual({ kind: "header", ...header });
    const record = { key: Buffer.from("/a/k"), value: Buffer.from([0, 1, 255]), hasLease: true };
    expect(parseExportLine(recordLine(record).trimEnd(), 2)).toEqual({ kind: "record", ...record });
    expect(parseExportLine(trailerLine({ keys: 1, bytes: 7, sha256: "ab" }).trimEnd(), 3)).toEqual({ kind: "trailer", keys: 1, bytes: 7, sha256: "ab" });
  });
  it.each([
    ["not json", /line 4 is not JSON/],
    ['{"format":"other/v9"}', /other\/v9/],
    ['{"format":"seedbed.io/etcd-prefix-export/v1","id":"a"}', /prefix is missing/],
    ['{"k":"***","v":""}', /k \(the key\)/],
  ])("refuses %s", (line, error) => {
    expect(() => parseExportLine(line, 4)).toThrow(error);
  });
});

describe("transaction batches", () => {
  const record = (size: number): { key: Buffer; value: Buffer } => ({ key: Buffer.from("k"), value: Buffer.alloc(size - 1) });
  const from = <T>(items: T[]): AsyncIterable<T> => ({
    [Symbol.asyncIterator]: () => {
      let i = 0;
      return { next: () => Promise.resolve(i < items.length ? { value: items[i++] as T, done: false } : { value: undefined, done: true as const }) };
    },
  });
  const sizes = async (items: { key: Buffer; value: Buffer }[], maxOps: number, maxBytes: number): Promise<number[][]> => {
    const out: number[][] = [];
    for await (const batch of inBatches(from(items), { maxOps, maxBytes })) out.push(batch.map((r) => r.key.length + r.value.length));
    return out;
  };
  it.each([
    { name: "by count", items: [1, 1, 1, 1, 1], maxOps: 2, maxBytes: 100, want: [[1, 1], [1, 1], [1]] },
    { name: "by bytes", items: [4, 4, 4], maxOps: 10, maxBytes: 8, want: [[4, 4], [4]] },
    { name: "an oversized record alone", items: [2, 20, 2], maxOps: 10, maxBytes: 8, want: [[2], [20], [2]] },
    { name: "nothing", items: [], maxOps: 10, maxBytes: 8, want: [] },
  ])("splits $name", async ({ items, maxOps, maxBytes, want }) => {
    expect(await sizes(items.map(record), maxOps, maxBytes)).toEqual(want);
  });
});
