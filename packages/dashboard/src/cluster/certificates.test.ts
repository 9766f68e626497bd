import { describe, expect, it } from "vitest";
import { certificateRows, expiryTone } from "./certificates.ts";

const now = Date.parse("2026-11-30T12:00:00Z");

describe("expiryTone", () => {
  it.each([[undefined, "neutral"], [-1, "bad"], [0, "warn"], [29, "warn"], [30, "ok"], [365, "ok"]] as const)("colours %s days %s", (days, tone) => {
    expect(expiryTone(days)).toBe(tone);
  });
});

describe("certificateRows", () => {
  it("lists CAs and leaves, soonest expiry first, in words", () => {
    const rows = certificateRows({
      authorities: [{ name: "cluster", fingerprint: "ab", notAfter: "2036-11-30T12:00:00Z" }, { name: "serviceAccount", fingerprint: "cd" }],
      leaves: [{ name: "apiserver", notAfter: "2026-12-10T12:00:00Z" }, { name: "admin", notAfter: "2026-11-28T12:00:00Z" }],
    }, now);
    expect(rows.map((r) => [r.name, r.kind, r.tone, r.text])).toEqual([
      ["admin", "Certificate", "bad", "expired 2 days ago"],
      ["apiserver", "Certificate", "warn", "expires in 10 days"],
      ["cluster CA", "CA", "ok", "expires in 3653 days"],
      ["serviceAccount CA", "CA", "neutral", "no expiry"],
    ]);
  });

  it("is empty without a status", () => {
    expect(certificateRows(undefined, now)).toEqual([]);
  });
});
