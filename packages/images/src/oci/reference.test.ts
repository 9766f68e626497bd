import { describe, expect, it } from "vitest";
import { checkReference, tagOf } from "./reference.ts";

describe("image references", () => {
  it.each([
    ["docker.io/seedbed/etcd:3.6.16-0", "3.6.16-0"],
    ["registry.k8s.io/kube-apiserver:v1.37.1", "v1.37.1"],
    ["registry.k8s.io/kwok/kwok:v0.8.0", "v0.8.0"],
    ["localhost:5000/seedbed:dev", "dev"],
    ["ghcr.io/seedbed/seedbed:0.1.0", "0.1.0"],
  ])("accept %s with tag %s", (reference, tag) => {
    expect(() => checkReference(reference, "name")).not.toThrow();
    expect(tagOf(reference)).toBe(tag);
  });

  it.each([
    ["etcd:3.6.16-0", "no registry"],
    ["seedbed/etcd:3.6.16-0", "a repository path but no registry host"],
    ["docker.io/seedbed/etcd", "no tag"],
    ["docker.io/Seedbed/etcd:1", "capitals in the repository"],
    ["docker.io/seedbed/etcd@sha256:abc", "a digest instead of a tag"],
  ])("refuse %s (%s), naming the field and an example", (reference) => {
    expect(() => checkReference(reference, "images.etcd")).toThrow(/images\.etcd: ".*" is not a full image reference; write registry\/repository:tag, e\.g\. docker\.io/);
  });
});
