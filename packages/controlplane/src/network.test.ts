import { describe, expect, it } from "vitest";
import { firstServiceIP } from "./network.ts";

describe("firstServiceIP", () => {
  it.each([
    ["10.96.0.0/12", "10.96.0.1"],
    ["10.100.5.0/12", "10.96.0.1"],
    ["172.16.0.0/16", "172.16.0.1"],
    ["192.168.1.128/25", "192.168.1.129"],
  ])("gives the first address of %s: %s", (cidr, ip) => {
    expect(firstServiceIP(cidr)).toBe(ip);
  });

  it.each(["10.96.0.0", "10.96.0.0/33", "300.1.1.1/12", "fd00::/108", "10.96.0.0/31"])("rejects %s with a message naming the field", (cidr) => {
    expect(() => firstServiceIP(cidr)).toThrow(/serviceClusterIPRange/);
  });
});
