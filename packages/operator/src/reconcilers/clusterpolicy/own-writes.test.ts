import { describe, expect, it } from "vitest";
import { OwnWrites } from "./own-writes.ts";

describe("OwnWrites", () => {
  it("holds a write back while the cache shows the copy it replaced, and only for the same content", () => {
    const writes = new OwnWrites();
    writes.wrote("a/x", "10", "v2");
    expect(writes.pending("a/x", "10", "v2")).toBe(true);
    expect(writes.pending("a/x", "10", "v3")).toBe(false);
  });

  it("lets writes through once the cache moved on", () => {
    const writes = new OwnWrites();
    writes.wrote("a/x", "10", "v2");
    expect(writes.pending("a/x", "11", "v2")).toBe(false);
    // Forgotten once seen past: an older copy coming back is not mistaken for pending.
    expect(writes.pending("a/x", "10", "v2")).toBe(false);
  });

  it("does not remember creates, nor objects forgotten", () => {
    const writes = new OwnWrites();
    writes.wrote("a/x", undefined, "v1");
    expect(writes.pending("a/x", undefined, "v1")).toBe(false);
    writes.wrote("a/y", "5", "v1");
    writes.forget("a/y");
    expect(writes.pending("a/y", "5", "v1")).toBe(false);
  });
});
