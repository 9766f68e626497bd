import { describe, expect, it } from "vitest";
import { publishedEndpoint, publishedNames, type APIServerPodView, type NodeView, type ServiceView } from "./published.ts";

const node = (name: string, addresses: Record<string, string>): NodeView => ({ metadata: { name }, status: { addresses: Object.entries(addresses).map(([type, address]) => ({ type, address })) } });
const nodes = [node("b", { InternalIP: "10.0.0.2" }), node("a", { InternalIP: "10.0.0.1", ExternalIP: "198.51.100.1" }), node("c", { InternalIP: "10.0.0.3", Hostname: "c" })];
const nodePort = (policy?: string): ServiceView => ({ spec: { type: "NodePort", ports: [{ nodePort: 31443 }], ...(policy === undefined ? {} : { externalTrafficPolicy: policy }) } });
const lb = (ingress: { ip?: string; hostname?: string }[]): ServiceView => ({ spec: { type: "LoadBalancer", ports: [{ nodePort: 31443 }] }, status: { loadBalancer: { ingress } } });
const pod = (nodeName: string, ready: boolean): APIServerPodView => ({ spec: { nodeName }, status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] } });

describe("publishedEndpoint", () => {
  it.each([
    { what: "no Service yet", service: undefined, pods: [], want: "" },
    { what: "a NodePort not allocated yet", service: { spec: { type: "NodePort", ports: [{}] } }, pods: [], want: "" },
    { what: "a NodePort: the first node by name, its external address", service: nodePort(), pods: [], want: "https://198.51.100.1:31443" },
    { what: "Local: a node with a ready API server pod", service: nodePort("Local"), pods: [pod("a", false), pod("c", true)], want: "https://10.0.0.3:31443" },
    { what: "Local with no ready API server pod: none answers yet", service: nodePort("Local"), pods: [pod("b", false)], want: "" },
    { what: "a load balancer without ingress yet", service: lb([]), pods: [], want: "" },
    { what: "a load balancer's address on the API port", service: lb([{ ip: "203.0.113.7" }]), pods: [], want: "https://203.0.113.7:6443" },
    { what: "a load balancer known by name", service: lb([{ hostname: "api.elb.example.com" }]), pods: [], want: "https://api.elb.example.com:6443" },
    { what: "an IPv6 load balancer, in brackets", service: lb([{ ip: "2001:db8::7" }]), pods: [], want: "https://[2001:db8::7]:6443" },
  ] as { what: string; service: ServiceView | undefined; pods: APIServerPodView[]; want: string }[])("$what", ({ service, pods, want }) => {
    expect(publishedEndpoint(service, nodes, pods)).toBe(want);
  });
});

describe("publishedNames", () => {
  it("names every node's internal and external address for a NodePort (any node may be the endpoint), sorted, once each", () => {
    expect(publishedNames(nodePort(), [...nodes, node("d", { InternalIP: "10.0.0.1" })])).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3", "198.51.100.1"]);
    // Before the Service exists: the same (a NodePort is the default).
    expect(publishedNames(undefined, nodes)).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3", "198.51.100.1"]);
  });

  it("names a load balancer's addresses and host names, not the nodes", () => {
    expect(publishedNames(lb([{ ip: "203.0.113.7" }, { hostname: "api.elb.example.com" }]), nodes)).toEqual(["203.0.113.7", "api.elb.example.com"]);
    expect(publishedNames(lb([]), nodes)).toEqual([]);
  });
});
