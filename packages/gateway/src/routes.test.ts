import type { Cluster } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { clusterRoute, ClusterRoutes, parseEndpoint, routeName } from "./routes.ts";

const domain = "example.test";

function cluster(namespace: string, name: string, status?: Cluster["status"], deleting = false): Cluster {
  return {
    apiVersion: "seedbed.dev/v1alpha1",
    kind: "Cluster",
    metadata: { namespace, name, ...(deleting ? { deletionTimestamp: new Date("2026-01-01T00:00:00Z") } : {}) },
    spec: { paused: false },
    ...(status ? { status } : {}),
  };
}

describe("routeName", () => {
  it("names a cluster <cluster>.<project>.<domain>", () => {
    expect(routeName("a", "p1", domain)).toBe("a.p1.example.test");
  });

  it.each([
    ["a cluster name with a dot", "a.b", "p1", domain],
    ["an upper-case cluster name", "A", "p1", domain],
    ["an empty project", "a", "", domain],
    ["a project ending in a hyphen", "a", "p1-", domain],
    ["a label over 63 characters", "a".repeat(64), "p1", domain],
    ["a domain with an empty label", "a", "p1", "example..test"],
    ["a domain with a trailing dot", "a", "p1", "example.test."],
  ])("refuses %s", (_title, name, project, d) => {
    expect(() => routeName(name, project, d)).toThrow();
  });
});

describe("parseEndpoint", () => {
  it.each([
    ["https://10.0.0.5:6443", { host: "10.0.0.5", port: 6443 }],
    ["https://api.example.test:31443/", { host: "api.example.test", port: 31443 }],
    ["https://[::1]:6443", { host: "::1", port: 6443 }],
    ["https://api.example.test", { host: "api.example.test", port: 443 }],
  ])("reads %s", (endpoint, backend) => {
    expect(parseEndpoint(endpoint)).toEqual(backend);
  });

  it.each(["http://10.0.0.5:6443", "10.0.0.5:6443", "https://user:pw@10.0.0.5:6443", "https://10.0.0.5:6443/api", "https://10.0.0.5:6443?x=1", "", "https://"])(
    "refuses %j",
    (endpoint) => {
      expect(parseEndpoint(endpoint)).toBeUndefined();
    },
  );
});

describe("clusterRoute", () => {
  it("routes a cluster of a project namespace that has an endpoint", () => {
    expect(clusterRoute(cluster("project-p1", "a", { endpoint: "https://127.0.0.1:7443" }), domain)).toEqual({
      routed: true,
      name: "a.p1.example.test",
      backend: { host: "127.0.0.1", port: 7443 },
    });
  });

  it.each([
    ["outside a project namespace", cluster("default", "a", { endpoint: "https://127.0.0.1:7443" }), /not a project namespace/],
    ["without an endpoint", cluster("project-p1", "a", { phase: "Provisioning" }), /no endpoint/],
    ["being deleted", cluster("project-p1", "a", { endpoint: "https://127.0.0.1:7443" }, true), /being deleted/],
    ["with an endpoint that is not https://host:port", cluster("project-p1", "a", { endpoint: "tcp://127.0.0.1:7443" }), /is not https/],
    ["whose project is not a DNS label", cluster("project-", "a", { endpoint: "https://127.0.0.1:7443" }), /not a DNS label/],
  ])("does not route a cluster %s", (_title, obj, reason) => {
    const route = clusterRoute(obj, domain);
    expect(route.routed).toBe(false);
    if (!route.routed) expect(route.reason).toMatch(reason);
  });
});

describe("ClusterRoutes", () => {
  it("resolves only exact names", () => {
    const routes = new ClusterRoutes({ domain });
    routes.upsert(cluster("project-p1", "a", { endpoint: "https://127.0.0.1:7443" }));
    expect(routes.resolve("a.p1.example.test")).toEqual({ host: "127.0.0.1", port: 7443 });
    for (const other of ["a.p1.example.test.evil", "x.a.p1.example.test", "p1.example.test", "A.p1.example.test", "a.p1.example.test."]) {
      expect(routes.resolve(other), other).toBeUndefined();
    }
  });

  it("follows endpoint changes and drops the route when the endpoint goes, the cluster is deleted or is being deleted", () => {
    const routes = new ClusterRoutes({ domain });
    routes.upsert(cluster("project-p1", "a", { endpoint: "https://127.0.0.1:7443" }));
    routes.upsert(cluster("project-p1", "a", { endpoint: "https://127.0.0.1:8443" }));
    expect(routes.resolve("a.p1.example.test")).toEqual({ host: "127.0.0.1", port: 8443 });
    routes.upsert(cluster("project-p1", "a", {}));
    expect(routes.names()).toEqual([]);
    routes.upsert(cluster("project-p1", "a", { endpoint: "https://127.0.0.1:8443" }));
    routes.upsert(cluster("project-p1", "a", { endpoint: "https://127.0.0.1:8443" }, true));
    expect(routes.names()).toEqual([]);
    routes.upsert(cluster("project-p1", "a", { endpoint: "https://127.0.0.1:8443" }));
    routes.remove(cluster("project-p1", "a"));
    expect(routes.resolve("a.p1.example.test")).toBeUndefined();
  });

  it("keeps clusters of the same name in different projects apart", () => {
    const routes = new ClusterRoutes({ domain });
    routes.upsert(cluster("project-p1", "a", { endpoint: "https://127.0.0.1:7001" }));
    routes.upsert(cluster("project-p2", "a", { endpoint: "https://127.0.0.1:7002" }));
    routes.remove(cluster("project-p1", "a"));
    expect(routes.names()).toEqual(["a.p2.example.test"]);
    expect(routes.resolve("a.p2.example.test")?.port).toBe(7002);
  });

  it("refuses a domain that is not a lower-case DNS name", () => {
    expect(() => new ClusterRoutes({ domain: "Example.test" })).toThrow(/not a lower-case DNS name/);
  });
});
