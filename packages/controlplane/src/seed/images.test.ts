import { describe, expect, it } from "vitest";
import { isImageReference, parseImageOverrides, resolveSeedImages } from "./images.ts";

describe("resolveSeedImages", () => {
  it("puts {version} of an override to the cluster's version and leaves the rest official", () => {
    const images = resolveSeedImages("1.36.4", { overrides: { etcd: "docker.io/seedbed/etcd:dev", "kube-controller-manager": "localhost/kcm:{version}" } });
    expect(images.etcd).toBe("docker.io/seedbed/etcd:dev");
    expect(images["kube-controller-manager"]).toBe("localhost/kcm:1.36.4");
    expect(images["kube-apiserver"]).toBe("registry.k8s.io/kube-apiserver:v1.36.4");
  });
});

describe("parseImageOverrides", () => {
  it("reads component=image settings", () => {
    expect(parseImageOverrides(["kube-apiserver=docker.io/seedbed/kube-apiserver:v1.37.1", "kwok=localhost:5000/kwok@sha256:abc"])).toEqual({ "kube-apiserver": "docker.io/seedbed/kube-apiserver:v1.37.1", kwok: "localhost:5000/kwok@sha256:abc" });
  });

  it.each([
    { setting: "kube-apiserver", error: /must be <component>=<image>/ },
    { setting: "apiserver=docker.io/x:1", error: /component one of etcd, kube-apiserver/ },
    { setting: "etcd=", error: /etcd "" is not an image reference/ },
    { setting: "etcd=https://docker.io/etcd:1", error: /not an image reference; write e\.g\. etcd=/ },
    { setting: "etcd=docker.io/etcd 1", error: /not an image reference/ },
  ])("refuses $setting, naming the fix", ({ setting, error }) => {
    expect(() => parseImageOverrides([setting])).toThrow(error);
  });

  it.each([["registry.k8s.io", true], ["mirror.example.com:5000/k8s", true], ["", false], ["registry.k8s.io/", false], ["http://registry", false]] as const)("isImageReference(%j) is %s", (reference, ok) => {
    expect(isImageReference(reference)).toBe(ok);
  });
});
