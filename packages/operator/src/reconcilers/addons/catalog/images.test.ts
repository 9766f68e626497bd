import { describe, expect, it } from "vitest";
import { addonImage } from "./images.ts";

describe("an add-on's image", () => {
  it("is the upstream reference without a mirror (or with an empty one)", () => {
    expect(addonImage("registry.k8s.io/coredns/coredns:v1.15.0")).toBe("registry.k8s.io/coredns/coredns:v1.15.0");
    expect(addonImage("registry.k8s.io/coredns/coredns:v1.15.0", "")).toBe("registry.k8s.io/coredns/coredns:v1.15.0");
    expect(addonImage("kubernetesui/dashboard:v2.7.0", "/")).toBe("kubernetesui/dashboard:v2.7.0");
  });

  it.each([
    ["registry.k8s.io/coredns/coredns:v1.15.0", "seedbed.local", "seedbed.local/coredns/coredns:v1.15.0"],
    ["registry.k8s.io/coredns/coredns:v1.15.0", "seedbed.local//", "seedbed.local/coredns/coredns:v1.15.0"],
    ["docker.io/kubernetesui/dashboard:v2.7.0", "mirror.example.com/m", "mirror.example.com/m/kubernetesui/dashboard:v2.7.0"],
    ["kubernetesui/dashboard:v2.7.0", "mirror.example.com/m/", "mirror.example.com/m/kubernetesui/dashboard:v2.7.0"],
    ["localhost:5000/team/tool:v1", "mirror.example.com", "mirror.example.com/team/tool:v1"],
    ["localhost/team/tool:v1", "mirror.example.com", "mirror.example.com/team/tool:v1"],
    ["quay.io/cilium/cilium", "10.0.0.1:5000", "10.0.0.1:5000/cilium/cilium"],
    ["registry.k8s.io/pause:3.10", "mirror.example.com", "mirror.example.com/pause:3.10"],
    ["busybox:1.37", "mirror.example.com", "mirror.example.com/library/busybox:1.37"],
    ["docker.io/busybox:1.37", "mirror.example.com", "mirror.example.com/library/busybox:1.37"],
  ])("%s under %s is %s", (upstream, registry, expected) => {
    expect(addonImage(upstream, registry)).toBe(expected);
  });
});
