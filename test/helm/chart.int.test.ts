import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  RbacAuthorizationV1Api,
  type KubernetesObject,
  type V1Deployment,
  type V1Pod,
} from "@kubernetes/client-node";
import { allKinds, group, renderCRDs } from "@seedbed/api";
import { defaultKubernetesVersion } from "@seedbed/binaries";
import { kwokNodeAnnotation } from "@seedbed/controlplane";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allows, ofKind, parseManifests, rbacRules, theOne } from "./manifests.ts";
import { canI, chartDir, createHelm, describeQuestion, release, type AccessQuestion, type Helm } from "./tools.ts";

const operator = "seedbed-operator";
const serviceAccount = `system:serviceaccount:${release.namespace}:${operator}`;
const plurals = allKinds.map((kind) => kind.plural);

describe("the Helm chart deploy/helm/seedbed", () => {
  let helm: Helm;
  beforeAll(() => {
    helm = createHelm();
  });
  afterAll(() => {
    helm.dispose();
  });

  describe("rendered offline", () => {
    let objects: KubernetesObject[];
    let deployment: V1Deployment;
    beforeAll(async () => {
      objects = parseManifests(await helm.template());
      deployment = theOne(objects, "Deployment", operator);
    });

    it("passes helm lint --strict", async () => {
      const result = await helm.run("lint", "--strict", chartDir, "--kube-version", defaultKubernetesVersion);
      expect(result.status, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain("0 chart(s) failed");
    });

    it("renders byte-identical output twice", async () => {
      const [first, second] = await Promise.all([helm.template("--include-crds"), helm.template("--include-crds")]);
      expect(second).toBe(first);
    });

    it("runs two operator replicas that campaign for a Lease, spread across nodes where they can", () => {
      expect(deployment.spec?.replicas).toBe(2);
      const container = deployment.spec?.template.spec?.containers[0];
      expect(container?.image).toBe("ghcr.io/seedbed/seedbed:0.1.0");
      expect(container?.command).toEqual(["seedbed"]);
      expect(container?.args?.slice(0, 5)).toEqual(["operator", "--driver=kubernetes", "--leader-elect", "--metrics-port=8080", "--metrics-host=0.0.0.0"]);
      expect(container?.env?.map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath ?? e.value])).toEqual([
        ["POD_NAMESPACE", "metadata.namespace"],
        ["POD_NAME", "metadata.name"],
        ["NODE_OPTIONS", "--max-semi-space-size=4 --max-old-space-size=192"],
      ]);
      const antiAffinity = deployment.spec?.template.spec?.affinity?.podAntiAffinity;
      expect(antiAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
      expect(antiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0]?.podAffinityTerm).toEqual({
        topologyKey: "kubernetes.io/hostname",
        labelSelector: { matchLabels: deployment.spec?.selector.matchLabels },
      });
    });

    it("probes /healthz for liveness and /readyz for readiness on the metrics port 8080", () => {
      const container = deployment.spec?.template.spec?.containers[0];
      expect(container?.ports?.find((p) => p.name === "metrics")?.containerPort).toBe(8080);
      expect(container?.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "metrics" });
      expect(container?.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "metrics" });
    });

    it("runs the operator unprivileged, with requests and limits", () => {
      const pod = deployment.spec?.template.spec;
      const container = pod?.containers[0];
      expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(container?.securityContext).toEqual({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(container?.resources?.requests).toMatchObject({ cpu: expect.any(String) as unknown, memory: expect.any(String) as unknown });
      expect(container?.resources?.limits).toMatchObject({ memory: "512Mi" });
    });

    it("grants no wildcard, no escalate or impersonate, bind only on the project roles, and binds no cluster-admin", () => {
      const rules = rbacRules(objects);
      expect(rules.length).toBeGreaterThan(0);
      for (const { grantedBy, rule } of rules) {
        const where = `${grantedBy}: ${JSON.stringify(rule)}`;
        expect(rule.verbs, where).not.toContain("*");
        expect(rule.resources ?? [], where).not.toContain("*");
        expect(rule.apiGroups ?? [], where).not.toContain("*");
        expect(rule.resources?.every((r) => !r.includes("*")), where).toBe(true);
        expect(rule.verbs.filter((v) => ["escalate", "impersonate"].includes(v)), where).toEqual([]);
        // RBAC: only RoleBindings (of project members), and `bind` only on the three project roles by name.
        if (rule.apiGroups?.includes("rbac.authorization.k8s.io") === true) {
          if (rule.verbs.includes("bind")) expect(rule, where).toMatchObject({ resources: ["clusterroles"], verbs: ["bind"], resourceNames: ["seedbed-project-owner", "seedbed-project-editor", "seedbed-project-viewer"] });
          else expect(rule.resources, where).toEqual(["rolebindings"]);
        }
        expect(rule.apiGroups ?? [], where).not.toContain("apiextensions.k8s.io");
        expect(rule.nonResourceURLs, where).toBeUndefined();
      }
      for (const binding of [...ofKind(objects, "ClusterRoleBinding"), ...ofKind(objects, "RoleBinding")]) {
        expect(binding.roleRef.name).not.toMatch(/^(cluster-admin|admin|edit)$/);
        expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: operator, namespace: release.namespace }]);
      }
    });

    it("grants Leases only through a Role in the release namespace", () => {
      const leaseRules = rbacRules(objects).filter(({ rule }) => rule.resources?.includes("leases"));
      expect(leaseRules.map(({ grantedBy, namespace, rule }) => ({ grantedBy, namespace, verbs: rule.verbs }))).toEqual([
        { grantedBy: `Role/${operator}-leader-election`, namespace: release.namespace, verbs: ["get", "create", "update"] },
      ]);
      const binding = theOne(objects, "RoleBinding");
      expect(binding.metadata?.namespace).toBe(release.namespace);
      expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `${operator}-leader-election` });
      expect(theOne(objects, "Role").metadata?.namespace).toBe(release.namespace);
    });

    it("lets the operator read and write every seedbed.dev kind and its status, but create and delete only EtcdBackups", () => {
      // The operator's own roles, not the project roles it binds members to.
      const rules = rbacRules(objects).filter((r) => !r.grantedBy.startsWith("ClusterRole/seedbed-project-")).map((r) => r.rule);
      const can = (resource: string, verb: string): boolean => rules.some((rule) => allows(rule, group, resource, verb));
      for (const plural of plurals) {
        for (const verb of ["get", "list", "watch", "update", "patch"]) expect(can(plural, verb), `${verb} ${plural}`).toBe(true);
        for (const verb of ["update", "patch"]) {
          expect(can(`${plural}/status`, verb), `${verb} ${plural}/status`).toBe(true);
          expect(can(`${plural}/finalizers`, verb), `${verb} ${plural}/finalizers`).toBe(true);
        }
        const creates = plural === "etcdbackups";
        expect(can(plural, "create"), `create ${plural}`).toBe(creates);
        expect(can(plural, "delete"), `delete ${plural}`).toBe(creates);
      }
    });

    it("exposes the REST API on 443 → 8443 and the metrics on 8080 through the ClusterIP Service seedbed", () => {
      const service = theOne(objects, "Service", "seedbed");
      expect(service.spec?.type).toBe("ClusterIP");
      expect(service.spec?.ports).toEqual([
        { name: "https", port: 443, targetPort: 8443, protocol: "TCP" },
        { name: "metrics", port: 8080, targetPort: "metrics", protocol: "TCP" },
      ]);
      expect(service.spec?.selector).toEqual(deployment.spec?.selector.matchLabels);
    });

    it("labels every object with the standard labels", () => {
      for (const o of objects) {
        expect(o.metadata?.labels, `${o.kind ?? ""}/${o.metadata?.name ?? ""}`).toMatchObject({
          "app.kubernetes.io/name": "seedbed",
          "app.kubernetes.io/instance": release.name,
          "app.kubernetes.io/version": "0.1.0",
          "app.kubernetes.io/managed-by": "Helm",
          "app.kubernetes.io/part-of": "seedbed",
        });
      }
      expect(theOne(objects, "PodDisruptionBudget").spec?.maxUnavailable).toBe(1);
    });

    it("ships exactly the CRDs that packages/api generates", async () => {
      const generated = renderCRDs();
      const crdsDir = join(chartDir, "crds");
      expect(readdirSync(crdsDir).sort()).toEqual([...generated.keys()].sort());
      for (const [name, yaml] of generated) expect(readFileSync(join(crdsDir, name), "utf8"), `${name} is stale`).toBe(yaml);
      const rendered = ofKind(parseManifests(await helm.template("--include-crds")), "CustomResourceDefinition");
      expect(rendered.map((crd) => crd.metadata?.name).sort()).toEqual(plurals.map((p) => `${p}.${group}`).sort());
    });

    it("applies scheduling values, extra arguments, the log level and an opt-out of the PodDisruptionBudget", async () => {
      const custom = parseManifests(
        await helm.template(
          "--set=logLevel=debug",
          "--set=extraArgs={--some-flag=value}",
          "--set=nodeSelector.pool=system",
          "--set=tolerations[0].key=dedicated,tolerations[0].operator=Exists",
          "--set=affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key=pool",
          "--set=affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator=Exists",
          "--set=podDisruptionBudget.enabled=false",
          "--set=image.tag=0.2.0",
        ),
      );
      const pod = theOne(custom, "Deployment").spec?.template.spec;
      expect(pod?.containers[0]?.args?.slice(5)).toEqual(["--log-level=debug", "--some-flag=value"]);
      expect(pod?.containers[0]?.image).toBe("ghcr.io/seedbed/seedbed:0.2.0");
      expect(pod?.nodeSelector).toEqual({ pool: "system" });
      expect(pod?.tolerations).toEqual([{ key: "dedicated", operator: "Exists" }]);
      expect(pod?.affinity?.podAntiAffinity).toBeUndefined();
      expect(pod?.affinity?.nodeAffinity).toBeDefined();
      expect(ofKind(custom, "PodDisruptionBudget")).toEqual([]);
    });
  });

  describe("installed into a seed", () => {
    const api = useKubeAPI({ controllers: true, kwok: true });

    it("installs with helm --wait: the CRDs are Established and both operator pods run Ready on the kwok node", async () => {
      const kc = api().kubeConfig();
      const core = kc.makeApiClient(CoreV1Api);
      await core.createNode({
        body: {
          metadata: { name: "kwok-seed-0", annotations: { [kwokNodeAnnotation]: "fake" } },
          status: { allocatable: { cpu: "4", memory: "8Gi", pods: "110" }, capacity: { cpu: "4", memory: "8Gi", pods: "110" } },
        },
      });
      await eventually(
        () => core.readNode({ name: "kwok-seed-0" }),
        (n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true,
        { timeoutMs: 30_000, description: "the kwok node Ready" },
      );

      const args = ["install", release.name, chartDir, "--namespace", release.namespace, "--create-namespace", "--kubeconfig", api().kubeconfigPath];
      const installed = await helm.run(...args, "--wait", "--timeout", "120s");
      expect(installed.status, installed.stdout + installed.stderr).toBe(0);
      expect(installed.stdout).toContain("STATUS: deployed");

      const crds = await kc.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
      const established = crds.items
        .filter((crd) => crd.spec.group === group && crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True"))
        .map((crd) => crd.spec.names.plural);
      expect(established.sort()).toEqual([...plurals].sort());

      // helm --wait returned once the Deployment was available; the pods are Running and Ready already.
      const pods = await core.listNamespacedPod({ namespace: release.namespace, labelSelector: "app.kubernetes.io/component=operator" });
      expect(pods.items.map((p: V1Pod) => [p.spec?.nodeName, p.status?.phase, p.status?.conditions?.find((c) => c.type === "Ready")?.status])).toEqual([
        ["kwok-seed-0", "Running", "True"],
        ["kwok-seed-0", "Running", "True"],
      ]);
      expect(pods.items.every((p) => p.spec?.serviceAccountName === operator)).toBe(true);
    });

    it("gives the operator's ServiceAccount what the operator needs and nothing more", async () => {
      const yes: AccessQuestion[] = [
        { verb: "watch", resource: `clusters.${group}` },
        { verb: "patch", resource: `clusters.${group}`, subresource: "status", namespace: "project-demo" },
        { verb: "update", resource: `projects.${group}`, subresource: "finalizers" },
        { verb: "create", resource: `etcdbackups.${group}`, namespace: "project-demo" },
        { verb: "get", resource: "secrets", namespace: "cluster-abc" },
        { verb: "create", resource: "secrets", namespace: "cluster-abc" },
        { verb: "create", resource: "namespaces" },
        { verb: "create", resource: "statefulsets.apps", namespace: "cluster-abc" },
        { verb: "delete", resource: "deployments.apps", namespace: "cluster-abc" },
        { verb: "create", resource: "networkpolicies.networking.k8s.io", namespace: "cluster-abc" },
        { verb: "create", resource: "poddisruptionbudgets.policy", namespace: "cluster-abc" },
        { verb: "create", resource: "events.events.k8s.io", namespace: "project-demo" },
        { verb: "list", resource: "pods" },
        { verb: "watch", resource: "nodes" },
        { verb: "create", resource: "leases.coordination.k8s.io", namespace: release.namespace },
        { verb: "update", resource: "leases.coordination.k8s.io", namespace: release.namespace },
        { verb: "create", resource: "rolebindings.rbac.authorization.k8s.io", namespace: "project-demo" },
        { verb: "bind", resource: "clusterroles.rbac.authorization.k8s.io/seedbed-project-editor" },
        { verb: "create", resource: "resourcequotas", namespace: "project-demo" },
      ];
      const no: AccessQuestion[] = [
        { verb: "*", resource: "*" },
        { verb: "create", resource: `clusters.${group}`, namespace: "project-demo" },
        { verb: "delete", resource: `clusters.${group}`, namespace: "project-demo" },
        { verb: "update", resource: "leases.coordination.k8s.io", namespace: "kube-system" },
        { verb: "create", resource: "pods", namespace: "cluster-abc" },
        { verb: "create", resource: "pods", subresource: "exec", namespace: "cluster-abc" },
        { verb: "delete", resource: "nodes" },
        { verb: "create", resource: "serviceaccounts", subresource: "token", namespace: "cluster-abc" },
        { verb: "create", resource: "clusterrolebindings.rbac.authorization.k8s.io" },
        { verb: "escalate", resource: "clusterroles.rbac.authorization.k8s.io" },
        { verb: "bind", resource: "clusterroles.rbac.authorization.k8s.io" },
        { verb: "bind", resource: "clusterroles.rbac.authorization.k8s.io/cluster-admin" },
        { verb: "create", resource: "roles.rbac.authorization.k8s.io", namespace: "project-demo" },
        { verb: "impersonate", resource: "users" },
        { verb: "impersonate", resource: "serviceaccounts", namespace: "kube-system" },
        { verb: "update", resource: "customresourcedefinitions.apiextensions.k8s.io" },
      ];
      const answers = await canI(api().kubeconfigPath, serviceAccount, [...yes, ...no]);
      const expected = new Map([...yes.map((q) => [describeQuestion(q), "yes"] as const), ...no.map((q) => [describeQuestion(q), "no"] as const)]);
      expect(Object.fromEntries(answers)).toEqual(Object.fromEntries(expected));
    });

    it("is removed by helm uninstall, which leaves the CRDs in place", async () => {
      const kc = api().kubeConfig();
      const uninstalled = await helm.run("uninstall", release.name, "--namespace", release.namespace, "--kubeconfig", api().kubeconfigPath, "--wait", "--timeout", "60s");
      expect(uninstalled.status, uninstalled.stdout + uninstalled.stderr).toBe(0);
      const apps = kc.makeApiClient(AppsV1Api);
      const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
      await eventually(() => apps.listNamespacedDeployment({ namespace: release.namespace }), (l) => l.items.length === 0, { timeoutMs: 30_000, description: "the Deployment gone" });
      const roles = await rbac.listClusterRole({ labelSelector: `app.kubernetes.io/instance=${release.name}` });
      expect(roles.items).toEqual([]);
      const crds = await kc.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
      expect(crds.items.filter((crd) => crd.spec.group === group)).toHaveLength(plurals.length);
    });
  });
});
