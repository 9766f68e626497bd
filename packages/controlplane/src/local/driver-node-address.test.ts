import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalDriver } from "./driver.ts";

describe("the local driver's node address", () => {
  const root = mkdtempSync(join(tmpdir(), "seedbed-node-address-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("is named in every API server certificate when set, beside the loopback addresses of the replicas behind the balancer", async () => {
    const replicas = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"];
    expect(await new LocalDriver({ root, nodeAddress: "192.0.2.2" }).certificateNames()).toEqual({ apiServer: [...replicas, "192.0.2.2"], etcd: [] });
    expect(await new LocalDriver({ root }).certificateNames()).toEqual({ apiServer: replicas, etcd: [] });
  });

  it.each(["127.0.0.1", "localhost", "::1", "2001:db8::1", "192.0.2", ""])("refuses %j, naming the option and what to give", (nodeAddress) => {
    expect(() => new LocalDriver({ root, nodeAddress })).toThrow(/LocalDriverOptions\.nodeAddress .* is not a non-loopback IPv4 address: give an address of this machine/);
  });
});
