import type { V1ValidatingAdmissionPolicy } from "@kubernetes/client-node";

/** The policy that keeps Helm add-ons to those who may write ClusterPolicies. */
export const helmAddonsPolicyName = "helm-addons.seedbed.dev";

/** The Helm entries of `spec.addons` of `object` (CEL), an empty list when there are none. */
const helmEntries = (object: string): string => `(has(${object}.spec.addons) ? ${object}.spec.addons.filter(a, has(a.helm)) : [])`;

/**
 * A Helm add-on, like a ClusterPolicy, is applied in the tenant as its
 * admin: a chart may hold a ClusterRoleBinding to anyone. Project editors
 * are `edit` in their clusters, so a chart of theirs could grant what they
 * do not hold. This policy lets a person add, change or remove Helm
 * entries of a Cluster's or ClusterTemplate's spec.addons only if they may
 * create ClusterPolicies in that namespace (project owners, who are
 * cluster-admin there); built-in add-ons and everything else stay the
 * editors'. Controllers (service accounts, system:masters) are not matched.
 */
export function helmAddonsPolicy(): V1ValidatingAdmissionPolicy {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: helmAddonsPolicyName },
    spec: {
      failurePolicy: "Fail",
      matchConstraints: {
        resourceRules: [{ apiGroups: ["seedbed.dev"], apiVersions: ["*"], operations: ["CREATE", "UPDATE"], resources: ["clusters", "clustertemplates"] }],
      },
      matchConditions: [
        { name: "a-person", expression: "!request.userInfo.username.startsWith('system:') && !('system:masters' in request.userInfo.groups)" },
        { name: "helm-entries-change", expression: `${helmEntries("object")} != (request.operation == 'UPDATE' ? ${helmEntries("oldObject")} : [])` },
      ],
      validations: [
        {
          expression: "authorizer.group('seedbed.dev').resource('clusterpolicies').namespace(object.metadata.namespace).check('create').allowed()",
          messageExpression: "'spec.addons: a Helm add-on runs as the cluster\\'s admin, so only those who may write ClusterPolicies in ' + object.metadata.namespace + ' (the project\\'s owners) may add, change or remove one; ask an owner, or use a built-in add-on'",
          reason: "Forbidden",
        },
      ],
    },
  };
}
