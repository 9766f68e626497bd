import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import "../index.ts";

describe("preferHTTP1", () => {
  it("makes every agent client-node builds offer HTTP/1.1 only, keeping its TLS options", () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: "https://127.0.0.1:6443", caData: Buffer.from("ca").toString("base64"), skipTLSVerify: false }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
    const options = kc.createDispatcherOptions(kc.getCurrentCluster(), { ca: "ca" });
    expect(options.type).toBe("agent");
    if (options.type !== "agent") return;
    expect(options.connect).toMatchObject({ allowH2: false, ca: expect.anything() as unknown });
  });
});
