import { describe, expect, it } from "vitest";
import { sanitizeNote } from "./events.ts";

describe("sanitizeNote", () => {
  it.each([
    { case: "keeps an ordinary note", note: "Scaled to 3 replicas", want: "Scaled to 3 replicas" },
    {
      case: "cuts out a private key block",
      note: "bad key: -----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY----- end",
      want: "bad key: [redacted private key] end",
    },
    { case: "cuts out a bearer token", note: "request with Bearer eyJhbGciOi.x-y_z failed", want: "request with Bearer [redacted] failed" },
  ])("$case", ({ note, want }) => {
    expect(sanitizeNote(note)).toBe(want);
  });

  it("keeps notes within 1 kB, multi-byte characters included", () => {
    const note = sanitizeNote("ü".repeat(2000));
    expect(Buffer.byteLength(note)).toBeLessThanOrEqual(1024);
    expect(note.endsWith("...")).toBe(true);
  });
});
