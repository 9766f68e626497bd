import type { KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { holdsRendered, objectAction, objectKey } from "./drift.ts";

const rendered = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "coredns", namespace: "kube-system", labels: { "addons.seedbed.dev/name": "coredns" } },
  spec: { replicas: 2, template: { spec: { containers: [{ name: "coredns", image: "r/coredns:v1", args: ["-conf", "/etc/coredns/Corefile"] }] } } },
};

describe("holdsRendered", () => {
  it.each([
    { title: "the object as rendered", live: structuredClone(rendered), holds: true },
    { title: "fields the server and users added", live: { ...structuredClone(rendered), status: { readyReplicas: 2 }, metadata: { ...rendered.metadata, uid: "u", labels: { ...rendered.metadata.labels, team: "dns" } } }, holds: true },
    { title: "a rendered value changed", live: { ...structuredClone(rendered), spec: { ...rendered.spec, replicas: 5 } }, holds: false },
    { title: "a rendered label removed", live: { ...structuredClone(rendered), metadata: { ...rendered.metadata, labels: {} } }, holds: false },
    { title: "a rendered list item changed", live: { ...structuredClone(rendered), spec: { ...rendered.spec, template: { spec: { containers: [{ name: "coredns", image: "evil/coredns:v1", args: ["-conf", "/etc/coredns/Corefile"] }] } } } }, holds: false },
    { title: "a list grown", live: { ...structuredClone(rendered), spec: { ...rendered.spec, template: { spec: { containers: [rendered.spec.template.spec.containers[0], { name: "sidecar" }] } } } }, holds: false },
    { title: "a container with extra settings of a user", live: { ...structuredClone(rendered), spec: { ...rendered.spec, template: { spec: { containers: [{ ...rendered.spec.template.spec.containers[0], env: [{ name: "A", value: "1" }] }] } } } }, holds: true },
    { title: "a string where an object was", live: { ...structuredClone(rendered), spec: "x" }, holds: false },
  ])("$title: $holds", ({ live, holds }) => {
    expect(holdsRendered(rendered, live)).toBe(holds);
  });
});

describe("objectAction", () => {
  it("creates what is missing, repairs what drifted and keeps the rest without a request", () => {
    expect(objectAction(rendered, undefined)).toBe("create");
    const scaledToZero: KubernetesObject = { ...structuredClone(rendered), spec: { ...rendered.spec, replicas: 0 } } as KubernetesObject;
    expect(objectAction(rendered, scaledToZero)).toBe("repair");
    expect(objectAction(rendered, structuredClone(rendered))).toBe("keep");
  });

  it("keys objects by kind, namespace and name", () => {
    expect(objectKey(rendered)).toBe("apps/v1/Deployment/kube-system/coredns");
  });
});
