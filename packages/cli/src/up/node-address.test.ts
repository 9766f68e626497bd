import { describe, expect, it } from "vitest";
import { upNodeAddress } from "./node-address.ts";

const found = (): string => "192.0.2.2";
const none = (): string => {
  throw new Error("this machine has no IPv4 address outside loopback");
};

describe("the node address of seedbed up", () => {
  it.each([
    { title: "as root, by default: this machine's address", enabled: true, root: true, find: found, address: "192.0.2.2", note: /listen on 192\.0\.2\.2.*require authentication/ },
    { title: "as root with --no-node-address: none, silently", enabled: false, root: true, find: found, address: undefined, note: undefined },
    { title: "not as root: none (no real machine can run), silently", enabled: true, root: false, find: found, address: undefined, note: undefined },
    { title: "as root on a machine without an address: none, and why", enabled: true, root: true, find: none, address: undefined, note: /cannot join tenants: this machine has no IPv4 address/ },
  ])("$title", ({ enabled, root, find, address, note }) => {
    const result = upNodeAddress({ enabled, root, find });
    expect(result.address).toBe(address);
    if (note === undefined) expect(result.note).toBeUndefined();
    else expect(result.note).toMatch(note);
  });
});
