import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  RbacAuthorizationV1Api,
  type KubernetesObject,
  type V1Deployment,
  type V1Pod,
} from "@kubernetes/client-node";
import { allKinds, group, renderCRDs } from "@seedbed/api";
import { binaryPath, defaultKubernetesVersion } from "@seedbed/binaries";
import { kwokNodeAnnotation } from "@seedbed/controlplane";
import { eventually, run } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allows, ofKind, parseManifests, rbacRules, theOne } from "./manifests.ts";
import { canI, chartDir, createHelm, describeQuestion, release, type AccessQuestion, type Helm } from "./tools.ts";

const operator = "seedbed-operator";
const server = "seedbed-server";
const uninstallHook = "seedbed-uninstall";
const operatorAccount = `system:serviceaccount:${release.namespace}:${operator}`;
const serverAccount = `system:serviceaccount:${release.namespace}:${server}`;
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
    let serverDeployment: V1Deployment;
    beforeAll(async () => {
      objects = parseManifests(await helm.template());
      deployment = theOne(objects, "Deployment", operator);
      serverDeployment = theOne(objects, "Deployment", server);
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

    it("probes /healthz for liveness and /readyz for readiness on the metrics port 8080, its only port", () => {
      const container = deployment.spec?.template.spec?.containers[0];
      expect(container?.ports).toEqual([{ name: "metrics", containerPort: 8080, protocol: "TCP" }]);
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
        // RBAC: only RoleBindings (of project members) and Roles (of policy agents, which RBAC keeps within the operator's own rights), and `bind` only on the three project roles by name.
        if (rule.apiGroups?.includes("rbac.authorization.k8s.io") === true) {
          if (rule.verbs.includes("bind")) expect(rule, where).toMatchObject({ resources: ["clusterroles"], verbs: ["bind"], resourceNames: ["seedbed-project-owner", "seedbed-project-editor", "seedbed-project-viewer"] });
          else expect([["rolebindings"], ["roles"]], where).toContainEqual(rule.resources);
        }
        expect(rule.apiGroups ?? [], where).not.toContain("apiextensions.k8s.io");
        expect(rule.nonResourceURLs, where).toBeUndefined();
      }
      const bindings = [...ofKind(objects, "ClusterRoleBinding"), ...ofKind(objects, "RoleBinding")];
      for (const binding of bindings) {
        expect(binding.roleRef.name).not.toMatch(/^(cluster-admin|admin|edit)$/);
        // The server's role goes to the server's account, the uninstall hook's to its own, every other one to the operator's.
        const account = [server, uninstallHook].includes(binding.roleRef.name) ? binding.roleRef.name : operator;
        expect(binding.subjects, binding.metadata?.name).toEqual([{ kind: "ServiceAccount", name: account, namespace: release.namespace }]);
      }
      expect(bindings.map((b) => b.roleRef.name)).toContain(server);
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

    it("lets the operator read and write every seedbed.dev kind and its status, but create and delete only EtcdBackups and ClusterSyncs", () => {
      // The operator's own roles, not the project roles it binds members to nor the server's.
      const rules = rbacRules(objects)
        .filter((r) => [`ClusterRole/${operator}`, `Role/${operator}-leader-election`].includes(r.grantedBy))
        .map((r) => r.rule);
      const can = (resource: string, verb: string): boolean => rules.some((rule) => allows(rule, group, resource, verb));
      for (const plural of plurals) {
        for (const verb of ["get", "list", "watch", "update", "patch"]) expect(can(plural, verb), `${verb} ${plural}`).toBe(true);
        for (const verb of ["update", "patch"]) {
          expect(can(`${plural}/status`, verb), `${verb} ${plural}/status`).toBe(true);
          expect(can(`${plural}/finalizers`, verb), `${verb} ${plural}/finalizers`).toBe(true);
        }
        // Scheduled backups; a ClusterSync per cluster that has policies.
        const creates = plural === "etcdbackups" || plural === "clustersyncs";
        expect(can(plural, "create"), `create ${plural}`).toBe(creates);
        expect(can(plural, "delete"), `delete ${plural}`).toBe(creates);
      }
    });

    it("routes the ClusterIP Service seedbed (443) to the server pods, and the operator's metrics (8080) through seedbed-operator-metrics", () => {
      const service = theOne(objects, "Service", "seedbed");
      expect(service.spec?.type).toBe("ClusterIP");
      expect(service.spec?.ports).toEqual([{ name: "http", port: 443, targetPort: "http", protocol: "TCP" }]);
      expect(service.spec?.selector).toEqual(serverDeployment.spec?.selector.matchLabels);
      const metrics = theOne(objects, "Service", `${operator}-metrics`);
      expect(metrics.spec?.type).toBe("ClusterIP");
      expect(metrics.spec?.ports).toEqual([{ name: "metrics", port: 8080, targetPort: "metrics", protocol: "TCP" }]);
      expect(metrics.spec?.selector).toEqual(deployment.spec?.selector.matchLabels);
      expect(ofKind(objects, "Service").map((s) => s.metadata?.name).sort()).toEqual(["seedbed", `${operator}-metrics`]);
      // Each selector picks its own pods only: the component label differs.
      const podLabels = (d: V1Deployment): Record<string, string> => d.spec?.template.metadata?.labels ?? {};
      const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>): boolean => Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
      expect(selects(service.spec?.selector, podLabels(serverDeployment))).toBe(true);
      expect(selects(service.spec?.selector, podLabels(deployment))).toBe(false);
      expect(selects(metrics.spec?.selector, podLabels(deployment))).toBe(true);
      expect(selects(metrics.spec?.selector, podLabels(serverDeployment))).toBe(false);
    });

    it("keeps Service, Deployment, ServiceAccount and PodDisruptionBudget names within 63 characters for the longest base name", async () => {
      const long = parseManifests(await helm.template(`--set=fullnameOverride=${"x".repeat(70)}`));
      const base = "x".repeat(54);
      const named = long.filter((o) => ["Service", "Deployment", "ServiceAccount", "PodDisruptionBudget"].includes(o.kind ?? ""));
      expect(named.map((o) => `${o.kind ?? ""}/${o.metadata?.name ?? ""}`).sort()).toEqual(
        [
          `Deployment/${base}-operator`,
          `Deployment/${base}-server`,
          `PodDisruptionBudget/${base}-operator`,
          `PodDisruptionBudget/${base}-server`,
          `Service/${base}`,
          `Service/${"x".repeat(46)}-operator-metrics`,
          `ServiceAccount/${base}-operator`,
          `ServiceAccount/${base}-server`,
          `ServiceAccount/${"x".repeat(53)}-uninstall`,
        ].sort(),
      );
      for (const o of named) expect(o.metadata?.name?.length, o.metadata?.name).toBeLessThanOrEqual(63);
    });

    it("labels every object with the standard labels and budgets the disruptions of each Deployment", () => {
      for (const o of objects) {
        expect(o.metadata?.labels, `${o.kind ?? ""}/${o.metadata?.name ?? ""}`).toMatchObject({
          "app.kubernetes.io/name": "seedbed",
          "app.kubernetes.io/instance": release.name,
          "app.kubernetes.io/version": "0.1.0",
          "app.kubernetes.io/managed-by": "Helm",
          "app.kubernetes.io/part-of": "seedbed",
        });
      }
      for (const d of [deployment, serverDeployment]) {
        const budget = theOne(objects, "PodDisruptionBudget", d.metadata?.name);
        expect(budget.spec).toEqual({ maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow", selector: { matchLabels: d.spec?.selector.matchLabels } });
      }
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
      const pod = theOne(custom, "Deployment", operator).spec?.template.spec;
      expect(pod?.containers[0]?.args?.slice(5)).toEqual(["--log-level=debug", "--image-registry=registry.k8s.io", "--some-flag=value"]);
      expect(pod?.containers[0]?.image).toBe("ghcr.io/seedbed/seedbed:0.2.0");
      expect(pod?.nodeSelector).toEqual({ pool: "system" });
      expect(pod?.tolerations).toEqual([{ key: "dedicated", operator: "Exists" }]);
      expect(pod?.affinity?.podAntiAffinity).toBeUndefined();
      expect(pod?.affinity?.nodeAffinity).toBeDefined();
      expect(ofKind(custom, "PodDisruptionBudget")).toEqual([]);
      // The operator's scheduling values are its own: the server keeps its defaults.
      const serverPod = theOne(custom, "Deployment", server).spec?.template.spec;
      expect(serverPod?.nodeSelector).toBeUndefined();
      expect(serverPod?.tolerations).toBeUndefined();
      expect(serverPod?.affinity?.podAntiAffinity).toBeDefined();
      expect(serverPod?.containers[0]?.image).toBe("ghcr.io/seedbed/seedbed:0.2.0");
    });
  });

  describe("control-plane images", () => {
    it("passes the registry and each per-component image to the operator, the official registry by default", async () => {
      const custom = parseManifests(await helm.template("--set=controlPlaneImages.registry=mirror.example.com/k8s", "--set=controlPlaneImages.overrides.kube-apiserver=docker.io/seedbed/kube-apiserver:v{version}", "--set=controlPlaneImages.overrides.etcd=docker.io/seedbed/etcd:dev"));
      const args = theOne(custom, "Deployment", operator).spec?.template.spec?.containers[0]?.args ?? [];
      expect(args.filter((a) => a.startsWith("--image-registry") || a.startsWith("--control-plane-image"))).toEqual(["--image-registry=mirror.example.com/k8s", "--control-plane-image=etcd=docker.io/seedbed/etcd:dev", "--control-plane-image=kube-apiserver=docker.io/seedbed/kube-apiserver:v{version}"]);
      const defaults = theOne(parseManifests(await helm.template()), "Deployment", operator).spec?.template.spec?.containers[0]?.args ?? [];
      expect(defaults.filter((a) => a.startsWith("--image-registry") || a.startsWith("--control-plane-image"))).toEqual(["--image-registry=registry.k8s.io"]);
    });
  });

  describe("installed into a seed", () => {
    const api = useKubeAPI({ controllers: true, kwok: true });

    it("installs with helm --wait: the CRDs are Established, the operator and server pods run Ready on the kwok node", async () => {
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
      // With the gateway on, so that the API server accepts the Service with both of its ports.
      const gateway = ["--set", "sharedEndpoint.domain=clusters.seed.test", "--set", "server.service.apiPort=8443"];
      const installed = await helm.run(...args, ...gateway, "--wait", "--timeout", "120s");
      expect(installed.status, installed.stdout + installed.stderr).toBe(0);
      expect(installed.stdout).toContain("STATUS: deployed");

      const crds = await kc.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
      const established = crds.items
        .filter((crd) => crd.spec.group === group && crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True"))
        .map((crd) => crd.spec.names.plural);
      expect(established.sort()).toEqual([...plurals].sort());

      // helm --wait returned once the Deployments were available; the pods are Running and Ready already.
      for (const [component, account] of [["operator", operator], ["server", server]] as const) {
        const pods = await core.listNamespacedPod({ namespace: release.namespace, labelSelector: `app.kubernetes.io/component=${component}` });
        expect(pods.items.map((p: V1Pod) => [p.spec?.nodeName, p.status?.phase, p.status?.conditions?.find((c) => c.type === "Ready")?.status]), component).toEqual([
          ["kwok-seed-0", "Running", "True"],
          ["kwok-seed-0", "Running", "True"],
        ]);
        expect(pods.items.every((p) => p.spec?.serviceAccountName === account), component).toBe(true);
      }
    });

    it("sends the Service seedbed to the server pods and seedbed-operator-metrics to the operator pods", async () => {
      const kc = api().kubeConfig();
      const core = kc.makeApiClient(CoreV1Api);
      const discovery = kc.makeApiClient(DiscoveryV1Api);
      const service = await core.readNamespacedService({ name: "seedbed", namespace: release.namespace });
      expect(service.spec?.ports?.map((p) => [p.name, p.port, p.targetPort])).toEqual([
        ["http", 8443, "http"],
        ["gateway", 6443, "gateway"],
      ]);
      for (const [name, component] of [["seedbed", "server"], [`${operator}-metrics`, "operator"]] as const) {
        const pods = await core.listNamespacedPod({ namespace: release.namespace, labelSelector: `app.kubernetes.io/component=${component}` });
        const podNames = pods.items.map((p) => p.metadata?.name).sort();
        // The EndpointSlice controller resolves the selector against the pods kwok runs.
        const slices = await eventually(
          () => discovery.listNamespacedEndpointSlice({ namespace: release.namespace, labelSelector: `kubernetes.io/service-name=${name}` }),
          (l) => l.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready === true).length === podNames.length,
          { timeoutMs: 30_000, description: `the endpoints of Service ${name}` },
        );
        const endpoints = slices.items.flatMap((s) => s.endpoints ?? []);
        expect(endpoints.map((e) => e.targetRef?.name).sort(), name).toEqual(podNames);
      }
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
        // A policy agent's identity: its ServiceAccount, tokens of it, and its Role.
        { verb: "create", resource: "serviceaccounts", namespace: "project-demo" },
        { verb: "create", resource: "serviceaccounts", subresource: "token", namespace: "project-demo" },
        { verb: "create", resource: "roles.rbac.authorization.k8s.io", namespace: "project-demo" },
      ];
      const no: AccessQuestion[] = [
        { verb: "*", resource: "*" },
        { verb: "create", resource: `clusters.${group}`, namespace: "project-demo" },
        { verb: "delete", resource: `clusters.${group}`, namespace: "project-demo" },
        { verb: "update", resource: "leases.coordination.k8s.io", namespace: "kube-system" },
        { verb: "create", resource: "pods", namespace: "cluster-abc" },
        { verb: "create", resource: "pods", subresource: "exec", namespace: "cluster-abc" },
        { verb: "delete", resource: "nodes" },
        { verb: "update", resource: "serviceaccounts", namespace: "project-demo" },
        { verb: "create", resource: "clusterrolebindings.rbac.authorization.k8s.io" },
        { verb: "escalate", resource: "clusterroles.rbac.authorization.k8s.io" },
        { verb: "bind", resource: "clusterroles.rbac.authorization.k8s.io" },
        { verb: "bind", resource: "clusterroles.rbac.authorization.k8s.io/cluster-admin" },
        { verb: "create", resource: "clusterroles.rbac.authorization.k8s.io" },
        { verb: "impersonate", resource: "users" },
        { verb: "impersonate", resource: "serviceaccounts", namespace: "kube-system" },
        { verb: "update", resource: "customresourcedefinitions.apiextensions.k8s.io" },
      ];
      const answers = await canI(api().kubeconfigPath, operatorAccount, [...yes, ...no]);
      const expected = new Map([...yes.map((q) => [describeQuestion(q), "yes"] as const), ...no.map((q) => [describeQuestion(q), "no"] as const)]);
      expect(Object.fromEntries(answers)).toEqual(Object.fromEntries(expected));
    });

    it("lets the operator create tokens only for policy agents' ServiceAccounts (an admission policy, RBAC cannot name them)", async () => {
      const core = api().kubeConfig().makeApiClient(CoreV1Api);
      await core.createNamespace({ body: { metadata: { name: "project-tokens" } } });
      for (const name of ["seedbed-agent-web", "builder"]) await core.createNamespacedServiceAccount({ namespace: "project-tokens", body: { metadata: { name } } });
      // As the operator, through impersonation (the admin may impersonate; admission sees the operator).
      const tokenAs = (account: string): ReturnType<typeof run> => run(binaryPath("kubectl"), ["--kubeconfig", api().kubeconfigPath, "create", "token", account, "--namespace", "project-tokens", `--as=${operatorAccount}`]);
      const agent = await tokenAs("seedbed-agent-web");
      expect([agent.status, agent.stderr]).toEqual([0, ""]);
      expect(agent.stdout.trim().split(".")).toHaveLength(3);
      const other = await tokenAs("builder");
      expect(other.status).not.toBe(0);
      expect(other.stderr).toContain("the Seedbed operator creates tokens only for policy agents (ServiceAccounts seedbed-agent-<cluster>), not for project-tokens/builder");
    });

    it("lets the server's ServiceAccount read projects and clusters, and nothing else", async () => {
      const yes: AccessQuestion[] = [
        { verb: "list", resource: `projects.${group}` },
        { verb: "watch", resource: `projects.${group}` },
        { verb: "get", resource: `projects.${group}` },
        { verb: "list", resource: `clusters.${group}` },
        { verb: "watch", resource: `clusters.${group}` },
        { verb: "get", resource: `clusters.${group}`, namespace: "project-demo" },
      ];
      const no: AccessQuestion[] = [
        { verb: "*", resource: "*" },
        { verb: "get", resource: "secrets", namespace: "project-demo" },
        { verb: "get", resource: "secrets", namespace: "cluster-abc" },
        { verb: "list", resource: "secrets" },
        { verb: "create", resource: `clusters.${group}`, namespace: "project-demo" },
        { verb: "patch", resource: `clusters.${group}`, namespace: "project-demo" },
        { verb: "update", resource: `clusters.${group}`, subresource: "status", namespace: "project-demo" },
        { verb: "delete", resource: `projects.${group}` },
        { verb: "list", resource: `nodepools.${group}` },
        { verb: "impersonate", resource: "users" },
        { verb: "impersonate", resource: "groups" },
        { verb: "impersonate", resource: "serviceaccounts", namespace: "kube-system" },
        { verb: "list", resource: "pods" },
        { verb: "get", resource: "pods", namespace: release.namespace },
        { verb: "create", resource: "serviceaccounts", subresource: "token", namespace: release.namespace },
        { verb: "create", resource: "leases.coordination.k8s.io", namespace: release.namespace },
        { verb: "create", resource: "rolebindings.rbac.authorization.k8s.io", namespace: "project-demo" },
      ];
      const answers = await canI(api().kubeconfigPath, serverAccount, [...yes, ...no]);
      const expected = new Map([...yes.map((q) => [describeQuestion(q), "yes"] as const), ...no.map((q) => [describeQuestion(q), "no"] as const)]);
      expect(Object.fromEntries(answers)).toEqual(Object.fromEntries(expected));
    });

    it("is removed by helm uninstall, which leaves the CRDs in place", async () => {
      const kc = api().kubeConfig();
      // --no-hooks: the pre-delete Job that lets the operator release the chart's Seed would
      // never finish on a kwok node (no container runs), and no operator ran to hold the Seed;
      // test/helm/real-seed.real.test.ts runs that hook on a real seed.
      const uninstalled = await helm.run("uninstall", release.name, "--namespace", release.namespace, "--kubeconfig", api().kubeconfigPath, "--no-hooks", "--wait", "--timeout", "60s");
      expect(uninstalled.status, uninstalled.stdout + uninstalled.stderr).toBe(0);
      const apps = kc.makeApiClient(AppsV1Api);
      const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
      await eventually(() => apps.listNamespacedDeployment({ namespace: release.namespace }), (l) => l.items.length === 0, { timeoutMs: 30_000, description: "the Deployments gone" });
      expect((await kc.makeApiClient(CoreV1Api).listNamespacedService({ namespace: release.namespace })).items).toEqual([]);
      const roles = await rbac.listClusterRole({ labelSelector: `app.kubernetes.io/instance=${release.name}` });
      expect(roles.items).toEqual([]);
      const crds = await kc.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
      expect(crds.items.filter((crd) => crd.spec.group === group)).toHaveLength(plurals.length);
    });
  });
});
