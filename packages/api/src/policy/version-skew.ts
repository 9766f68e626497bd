import type { V1ValidatingAdmissionPolicy, V1ValidatingAdmissionPolicyBinding } from "@kubernetes/client-node";
import { group, version } from "../schema/resource.ts";
import { kubeconfigLedgerPolicy } from "./kubeconfig-ledger.ts";
import { helmAddonsPolicy } from "./helm-addons.ts";

/** How many minors a kubelet may lag behind kube-apiserver (Kubernetes' version skew policy since 1.28). */
export const kubeletMinorsBehindAllowed = 3;

/** The policy refusing a NodePool's spec.version its Cluster's control plane cannot run beside. */
export const nodePoolSkewPolicyName = "nodepool-version-skew.seedbed.dev";
/** The policy refusing a Cluster's spec.version that its pinned NodePools could not run beside. */
export const clusterSkewPolicyName = "cluster-version-skew.seedbed.dev";

// In CEL string literals: the regex \. is written \\. there, so \\\\ here.
const versionFormat = "^v?1\\\\.[0-9]+(\\\\.[0-9]+)?$";

/** CEL: the minor of the version `expression` yields ("1.37.1" → 37), or -1 when it is no version. */
function minor(expression: string): string {
  return `(${expression}.matches('${versionFormat}') ? int(${expression}.split('.')[1]) : -1)`;
}

/** CEL match condition: the request sets spec.version or changes it (a pool's finalizer, its replicas or its status never match). */
const setsVersion = "has(object.spec.version) && (request.operation == 'CREATE' || !has(oldObject.spec.version) || oldObject.spec.version != object.spec.version)";

const rules = (resource: string): NonNullable<V1ValidatingAdmissionPolicy["spec"]>["matchConstraints"] => ({
  resourceRules: [{ apiGroups: [group], apiVersions: [version], operations: ["CREATE", "UPDATE"], resources: [resource] }],
});

/**
 * NodePool admission of the skew policy. CEL in the CRD sees only the pool,
 * so this is a ValidatingAdmissionPolicy whose params are the Clusters of
 * the pool's namespace (paramRef without a namespace: the request's own;
 * an empty selector: all of them); each is evaluated, and only the one the
 * pool names is checked. The control plane's version is the one it runs
 * (status.version; spec.version before it reports one); during a rollback,
 * the one it goes back to (status.upgrade.from) bounds it from above. A
 * pool whose Cluster does not exist yet passes (parameterNotFoundAction
 * Allow), and the NodePool controller checks again anyway.
 */
export function nodePoolSkewPolicy(): V1ValidatingAdmissionPolicy {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: nodePoolSkewPolicyName },
    spec: {
      // A kube-apiserver that has just started (or just got the CRDs) cannot
      // resolve paramKind for a while, and with Fail it would refuse every
      // Cluster and NodePool meanwhile ("failed to configure policy"; seen
      // right after `seedbed up`). Ignore lets those few through: the
      // NodePool controller refuses skew as well.
      failurePolicy: "Ignore",
      paramKind: { apiVersion: `${group}/${version}`, kind: "Cluster" },
      matchConstraints: rules("nodepools"),
      matchConditions: [{ name: "sets-version", expression: setsVersion }],
      variables: [
        { name: "applies", expression: "params.metadata.name == object.spec.clusterName" },
        { name: "pinned", expression: "object.spec.version" },
        { name: "running", expression: "params.?status.?version.orValue(params.spec.?version.orValue(''))" },
        { name: "rollingBackTo", expression: "params.?status.?upgrade.?phase.orValue('') == 'RollingBack' ? params.status.upgrade.from : ''" },
        { name: "ceiling", expression: "variables.rollingBackTo != '' ? variables.rollingBackTo : variables.running" },
        { name: "pinnedMinor", expression: minor("variables.pinned") },
        { name: "runningMinor", expression: minor("variables.running") },
        { name: "ceilingMinor", expression: minor("variables.ceiling") },
      ],
      validations: [
        {
          expression: "!variables.applies || variables.pinnedMinor < 0 || variables.ceilingMinor < 0 || variables.pinnedMinor <= variables.ceilingMinor",
          messageExpression:
            "'spec.version ' + variables.pinned + ' is newer than the control plane of Cluster ' + params.metadata.name + ' (' + variables.ceiling + (variables.rollingBackTo != '' ? ', which it is rolling back to' : '') + '): a kubelet must not be newer than kube-apiserver; upgrade the Cluster first, or set spec.version to 1.' + string(variables.ceilingMinor) + ' or older (or remove it to follow the cluster)'",
          reason: "Invalid",
        },
        {
          expression: `!variables.applies || variables.pinnedMinor < 0 || variables.runningMinor < 0 || variables.pinnedMinor >= variables.runningMinor - ${String(kubeletMinorsBehindAllowed)}`,
          messageExpression: `'spec.version ' + variables.pinned + ' is ' + string(variables.runningMinor - variables.pinnedMinor) + ' minors behind the control plane of Cluster ' + params.metadata.name + ' (' + variables.running + '): kubelets may be at most ${String(kubeletMinorsBehindAllowed)} minors older; set spec.version to 1.' + string(variables.runningMinor - ${String(kubeletMinorsBehindAllowed)}) + ' or newer (or remove it to follow the cluster)'`,
          reason: "Invalid",
        },
      ],
    },
  };
}

/**
 * Cluster admission of the same policy, seen from the other side: a
 * spec.version (an upgrade, or a rollback) that a NodePool pinned to its
 * own spec.version could not run beside. Params are the NodePools of the
 * Cluster's namespace; only those of this Cluster are checked.
 */
export function clusterSkewPolicy(): V1ValidatingAdmissionPolicy {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: clusterSkewPolicyName },
    spec: {
      // A kube-apiserver that has just started (or just got the CRDs) cannot
      // resolve paramKind for a while, and with Fail it would refuse every
      // Cluster and NodePool meanwhile ("failed to configure policy"; seen
      // right after `seedbed up`). Ignore lets those few through: the
      // NodePool controller refuses skew as well.
      failurePolicy: "Ignore",
      paramKind: { apiVersion: `${group}/${version}`, kind: "NodePool" },
      matchConstraints: rules("clusters"),
      matchConditions: [{ name: "sets-version", expression: setsVersion }],
      variables: [
        { name: "applies", expression: "params.spec.clusterName == object.metadata.name && has(params.spec.version)" },
        { name: "pinned", expression: "params.spec.?version.orValue('')" },
        { name: "pinnedMinor", expression: minor("variables.pinned") },
        { name: "wantedMinor", expression: minor("object.spec.version") },
      ],
      validations: [
        {
          expression: "!variables.applies || variables.pinnedMinor < 0 || variables.wantedMinor < 0 || variables.pinnedMinor <= variables.wantedMinor",
          messageExpression:
            "'spec.version ' + object.spec.version + ' is older than NodePool ' + params.metadata.name + ', pinned at spec.version ' + variables.pinned + ': a kubelet must not be newer than kube-apiserver; set the pool\\'s spec.version to 1.' + string(variables.wantedMinor) + ' or older (or remove it to follow the cluster) first'",
          reason: "Invalid",
        },
        {
          expression: `!variables.applies || variables.pinnedMinor < 0 || variables.wantedMinor < 0 || variables.pinnedMinor >= variables.wantedMinor - ${String(kubeletMinorsBehindAllowed)}`,
          messageExpression: `'spec.version ' + object.spec.version + ' would leave NodePool ' + params.metadata.name + ', pinned at spec.version ' + variables.pinned + ', ' + string(variables.wantedMinor - variables.pinnedMinor) + ' minors behind: kubelets may be at most ${String(kubeletMinorsBehindAllowed)} minors older; raise the pool\\'s spec.version to 1.' + string(variables.wantedMinor - ${String(kubeletMinorsBehindAllowed)}) + ' or newer (or remove it to follow the cluster) first'`,
          reason: "Invalid",
        },
      ],
    },
  };
}

/** Binds a policy to every object it matches, with each param of the object's namespace (none: allowed). */
export function bindingFor(policy: V1ValidatingAdmissionPolicy): V1ValidatingAdmissionPolicyBinding {
  const name = policy.metadata?.name ?? "";
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name },
    spec: { policyName: name, validationActions: ["Deny"], paramRef: { selector: {}, parameterNotFoundAction: "Allow" } },
  };
}

/** Binds a policy without params: every object it matches is denied when a validation fails. */
function denyingBinding(policy: V1ValidatingAdmissionPolicy): V1ValidatingAdmissionPolicyBinding {
  const name = policy.metadata?.name ?? "";
  return { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name }, spec: { policyName: name, validationActions: ["Deny"] } };
}

/** Every admission policy of seedbed.dev and its binding, in the order they are applied. */
export function admissionPolicies(): (V1ValidatingAdmissionPolicy | V1ValidatingAdmissionPolicyBinding)[] {
  return [...[nodePoolSkewPolicy(), clusterSkewPolicy()].flatMap((policy) => [policy, bindingFor(policy)]), ...[kubeconfigLedgerPolicy(), helmAddonsPolicy()].flatMap((policy) => [policy, denyingBinding(policy)])];
}
