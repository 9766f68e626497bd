import { describe, expect, it } from "vitest";
import { createCertificateAuthority } from "@seedbed/pki";
import { checkDue, planCARefresh, sameServer } from "./plan.ts";

describe("when the CA is due for a check", () => {
  const now = new Date("2030-01-01T00:10:00.000Z");
  it.each([
    { name: "just handed out", checkedAt: "2030-01-01T00:09:59.000Z", due: false },
    { name: "checked 59 s ago", checkedAt: "2030-01-01T00:09:01.000Z", due: false },
    { name: "checked a minute ago", checkedAt: "2030-01-01T00:09:00.000Z", due: true },
    { name: "checked a day ago", checkedAt: "2029-12-31T00:10:00.000Z", due: true },
    { name: "a time slightly ahead (clocks of two runs)", checkedAt: "2030-01-01T00:10:30.000Z", due: false },
    { name: "a time far ahead (clock set back)", checkedAt: "2030-01-01T01:00:00.000Z", due: true },
    { name: "a time that does not parse", checkedAt: "yesterday", due: true },
  ])("$name: due $due", ({ checkedAt, due }) => {
    expect(checkDue(checkedAt, now, 60_000)).toBe(due);
  });
});

describe("whether to rewrite the CA file", () => {
  it("writes the cluster's bundle when it differs, keeps the file when it is the same or not certificates", async () => {
    const [a, b] = await Promise.all([createCertificateAuthority({ commonName: "a" }), createCertificateAuthority({ commonName: "b" })]);
    const [pemA, pemB] = [`${a.certificatePem.trimEnd()}\n`, `${b.certificatePem.trimEnd()}\n`];
    const bundle = `${pemB}${pemA}`;
    const cases: { name: string; current: string | undefined; bundle: string | undefined; expected: ReturnType<typeof planCARefresh> }[] = [
      { name: "old CA only, bundle of both", current: pemA, bundle, expected: { action: "write", pem: bundle } },
      { name: "bundle of both, new CA only (completed)", current: bundle, bundle: pemB, expected: { action: "write", pem: pemB } },
      { name: "no file yet", current: undefined, bundle, expected: { action: "write", pem: bundle } },
      { name: "the same bundle", current: bundle, bundle, expected: { action: "keep", reason: "same" } },
      { name: "the same bundle, its blocks run together (written with a newline after each)", current: bundle, bundle: `${pemB.trimEnd()}${pemA.trimEnd()}`, expected: { action: "keep", reason: "same" } },
      { name: "blocks run together, new to the file", current: pemA, bundle: `${pemB.trimEnd()}${pemA.trimEnd()}`, expected: { action: "write", pem: bundle } },
      { name: "no bundle in status", current: pemA, bundle: undefined, expected: { action: "keep", reason: "no-bundle" } },
      { name: "an empty bundle", current: pemA, bundle: " \n", expected: { action: "keep", reason: "no-bundle" } },
      { name: "text that is no certificate", current: pemA, bundle: "hello", expected: { action: "keep", reason: "not-certificates" } },
      { name: "a broken certificate", current: pemA, bundle: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", expected: { action: "keep", reason: "not-certificates" } },
    ];
    for (const c of cases) expect(planCARefresh(c.current, c.bundle), c.name).toEqual(c.expected);
  });
});

describe("the same management API", () => {
  it.each([
    { a: "https://127.0.0.1:6443", b: "https://127.0.0.1:6443/", same: true },
    { a: "https://api.example.com", b: "https://API.example.com:443", same: true },
    { a: "https://127.0.0.1:6443", b: "https://127.0.0.1:6444", same: false },
    { a: "https://127.0.0.1:6443", b: "https://localhost:6443", same: false },
    { a: "https://h/prefix", b: "https://h/other", same: false },
  ])("$a and $b: $same", ({ a, b, same }) => {
    expect(sameServer(a, b)).toBe(same);
  });
});
