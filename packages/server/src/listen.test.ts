import { describe, expect, it } from "vitest";
import { isLoopback, listenRefusal } from "./listen.ts";

describe("isLoopback", () => {
  it.each([
    ["127.0.0.1", true], ["127.8.9.10", true], ["localhost", true], ["LOCALHOST", true], ["::1", true], ["[::1]", true], ["::ffff:127.0.0.1", true],
    ["0.0.0.0", false], ["::", false], ["10.0.0.5", false], ["192.168.1.1", false], ["fe80::1", false], ["seedbed.example.com", false], ["localhost.example.com", false], ["128.0.0.1", false],
  ])("%s → %s", (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });
});

describe("listenRefusal", () => {
  it.each([
    ["plain HTTP on loopback", { host: "127.0.0.1", tls: false, insecureHTTP: false }, false],
    ["HTTPS on every address", { host: "0.0.0.0", tls: true, insecureHTTP: false }, false],
    ["plain HTTP off loopback when TLS ends in front", { host: "0.0.0.0", tls: false, insecureHTTP: true }, false],
    ["plain HTTP on every address", { host: "0.0.0.0", tls: false, insecureHTTP: false }, true],
    ["plain HTTP on ::", { host: "::", tls: false, insecureHTTP: false }, true],
    ["plain HTTP on a routable address", { host: "10.1.2.3", tls: false, insecureHTTP: false }, true],
  ])("%s: refused %s", (_what, plan, refused) => {
    expect(listenRefusal(plan) !== undefined).toBe(refused);
  });

  it("names the address, the danger and the fixes it is given", () => {
    expect(listenRefusal({ host: "0.0.0.0", tls: false, insecureHTTP: false }, "pass --tls-cert-file")).toBe(
      "refusing to serve plain HTTP on 0.0.0.0: callers' bearer tokens would cross the network in clear; pass --tls-cert-file",
    );
    expect(listenRefusal({ host: "0.0.0.0", tls: false, insecureHTTP: false })).toMatch(/pass tls .*host 127\.0\.0\.1.*insecureHTTP/);
  });
});
