import { AuthorizationV1Api, CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { apiVersion, installCRDs, projectClusterRoles, type Project } from "@seedbed/api";
import { apply, ObjectClient } from "@seedbed/runtime";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOperator, type Operator } from "../src/index.ts";

describe("the Project controller: namespace, member roles and quota, enforced by the real kube-apiserver", () => {
  const api = useKubeAPI({ controllers: true });
  let operator: Operator;
  let objects: CustomObjectsApi;
  let authz: AuthorizationV1Api;

  const may = async (user: string, verb: string, resource: string, namespace: string, group = "seedbed.dev"): Promise<boolean> =>
    (await authz.createSubjectAccessReview({ body: { spec: { user, groups: ["system:authenticated"], resourceAttributes: { verb, group, resource, namespace } } } })).status?.allowed === true;
  const project = (name: string, members: object[], quota?: object): Promise<unknown> =>
    objects.createClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "projects", body: { apiVersion, kind: "Project", metadata: { name }, spec: { members, ...(quota ? { quota } : {}) } } });

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    const client = ObjectClient.fromKubeConfig(kc);
    for (const role of projectClusterRoles()) await apply(client, role as never);
    objects = kc.makeApiClient(CustomObjectsApi);
    authz = kc.makeApiClient(AuthorizationV1Api);
    operator = await startOperator({ kubeConfig: kc });
    await project("a", [{ kind: "User", name: "alice", role: "owner" }, { kind: "User", name: "bob", role: "viewer" }, { kind: "Group", name: "team-a", role: "editor" }], { clusters: 1 });
    await project("b", [{ kind: "User", name: "bob", role: "owner" }]);
  });
  afterAll(async () => {
    await operator.stop();
  });

  it("gives each project its namespace, owned by the Project, and reports it Active", async () => {
    const a = await eventually(() => objects.getClusterCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "projects", name: "a" }) as Promise<Project>, (p) => p.status?.phase === "Active");
    expect(a.status?.namespace).toBe("project-a");
    const ns = await api().kubeConfig().makeApiClient(CoreV1Api).readNamespace({ name: "project-a" });
    expect(ns.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "Project", name: "a", controller: true });
    const bindings = await eventually(() => api().kubeConfig().makeApiClient(RbacAuthorizationV1Api).listNamespacedRoleBinding({ namespace: "project-a" }), (l) => l.items.length === 3);
    expect(bindings.items.find((b) => b.metadata?.name === "seedbed-editors")?.subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "team-a" }]);
  });

  it("lets members do what their role allows in their own project, and nothing in another", async () => {
    await eventually(() => may("alice", "create", "clusters", "project-a"), (ok) => ok);
    expect(await may("alice", "get", "secrets", "project-a", "")).toBe(true); // owners read admin kubeconfigs
    expect(await may("alice", "get", "clusters", "project-b")).toBe(false);
    expect(await may("alice", "create", "clusters", "project-b")).toBe(false);
    expect(await may("bob", "get", "clusters", "project-a")).toBe(true);
    expect(await may("bob", "create", "clusters", "project-a")).toBe(false); // a viewer there
    expect(await may("bob", "delete", "clusters", "project-a")).toBe(false);
    expect(await may("bob", "get", "secrets", "project-a", "")).toBe(false);
    await eventually(() => may("bob", "create", "clusters", "project-b"), (ok) => ok); // an owner there
    expect(await may("mallory", "list", "clusters", "project-a")).toBe(false);
  });

  it("refuses a cluster over the project's quota with the API server's own message", async () => {
    await eventually(() => api().kubeConfig().makeApiClient(CoreV1Api).readNamespacedResourceQuota({ namespace: "project-a", name: "seedbed-project" }), (q) => q.status?.hard?.["count/clusters.seedbed.dev"] === "1");
    await objects.createNamespacedCustomObject({ group: "seedbed.dev", version: "v1alpha1", namespace: "project-a", plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "one", namespace: "project-a" }, spec: { paused: true } } });
    const second = objects.createNamespacedCustomObject({ group: "seedbed.dev", version: "v1alpha1", namespace: "project-a", plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "two", namespace: "project-a" }, spec: { paused: true } } });
    await expect(second).rejects.toThrow(/exceeded quota: seedbed-project.*count\/clusters\.seedbed\.dev=1/);
  });
});
