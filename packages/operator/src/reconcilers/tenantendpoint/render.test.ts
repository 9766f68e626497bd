import { describe, expect, it } from "vitest";
import { endpointHostPort, isLoopback, renderAPIEndpoints } from "./render.ts";

describe("endpointHostPort", () => {
  it.each([
    ["https://192.0.2.10:31443", { host: "192.0.2.10", port: 31443 }],
    ["https://[2001:db8::1]:6443", { host: "2001:db8::1", port: 6443 }],
    ["https://api.elb.example.com", { host: "api.elb.example.com", port: 443 }],
    ["", undefined],
    [undefined, undefined],
    ["http://192.0.2.10:80", undefined],
    ["not a url", undefined],
  ] as const)("%j → %j", (endpoint, want) => {
    expect(endpointHostPort(endpoint)).toEqual(want);
  });
});

describe("isLoopback", () => {
  it.each([["127.0.0.1", true], ["127.4.5.6", true], ["::1", true], ["localhost", true], ["192.0.2.10", false], ["2001:db8::1", false]] as const)("%s is %s", (address, want) => {
    expect(isLoopback(address)).toBe(want);
  });
});

describe("renderAPIEndpoints", () => {
  it("points the kubernetes Service at the published address and port (the NodePort, not 6443), in a slice kube-proxy reads and an Endpoints not mirrored again", () => {
    const [slice, endpoints, ...rest] = renderAPIEndpoints({ addresses: ["192.0.2.10"], port: 31443 });
    expect(rest).toEqual([]);
    expect(slice).toEqual({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "kubernetes", namespace: "default", labels: { "kubernetes.io/service-name": "kubernetes", "endpointslice.kubernetes.io/managed-by": "operator.seedbed.dev" } },
      addressType: "IPv4",
      endpoints: [{ addresses: ["192.0.2.10"], conditions: { ready: true } }],
      ports: [{ name: "https", port: 31443, protocol: "TCP" }],
    });
    expect(endpoints).toEqual({
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name: "kubernetes", namespace: "default", labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } },
      subsets: [{ addresses: [{ ip: "192.0.2.10" }], ports: [{ name: "https", port: 31443, protocol: "TCP" }] }],
    });
  });

  it("writes one slice per address family", () => {
    const objects = renderAPIEndpoints({ addresses: ["2001:db8::1", "192.0.2.10"], port: 6443 });
    expect(objects.map((o) => `${o.kind}/${String(o.metadata.name)}/${String(o.addressType)}`)).toEqual(["EndpointSlice/kubernetes/IPv4", "EndpointSlice/kubernetes-ipv6/IPv6", "Endpoints/kubernetes/undefined"]);
    const v6only = renderAPIEndpoints({ addresses: ["2001:db8::1"], port: 6443 });
    expect(v6only[0]?.metadata.name).toBe("kubernetes");
  });
});
