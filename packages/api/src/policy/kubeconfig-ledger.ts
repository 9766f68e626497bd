import type { V1ValidatingAdmissionPolicy } from "@kubernetes/client-node";
import { maxLedgerRecords } from "../ledger/kubeconfig-ledger.ts";

/** The policy that keeps project members' ConfigMap writes to kubeconfig ledgers. */
export const kubeconfigLedgerPolicyName = "kubeconfig-ledger.seedbed.dev";

/**
 * Project members may create and patch ConfigMaps in their project's
 * namespace only so that the CLI and the REST server can record the
 * kubeconfigs handed out to them (the ledger, `<cluster>-kubeconfigs`).
 * RBAC cannot say "only ledgers" (names vary, and create is never checked
 * by name), so this policy does: a person's ConfigMap write in a project
 * namespace must be a ledger of a cluster, within its size bound.
 * Controllers (service accounts, system:masters, nodes) are not matched.
 */
export function kubeconfigLedgerPolicy(): V1ValidatingAdmissionPolicy {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: kubeconfigLedgerPolicyName },
    spec: {
      failurePolicy: "Fail",
      matchConstraints: {
        namespaceSelector: { matchExpressions: [{ key: "seedbed.dev/project", operator: "Exists" }] },
        resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["configmaps"] }],
      },
      matchConditions: [{ name: "a-person", expression: "!request.userInfo.username.startsWith('system:') && !('system:masters' in request.userInfo.groups)" }],
      validations: [
        {
          expression: "object.metadata.name.endsWith('-kubeconfigs') && has(object.metadata.labels) && 'seedbed.dev/cluster' in object.metadata.labels && object.metadata.name == object.metadata.labels['seedbed.dev/cluster'] + '-kubeconfigs'",
          messageExpression: "'project members may write only the kubeconfig ledger of a cluster (<cluster>-kubeconfigs, labelled seedbed.dev/cluster=<cluster>), which seedbed kubeconfig records into; ConfigMap ' + object.metadata.name + ' is not one'",
          reason: "Forbidden",
        },
        {
          expression: `!has(object.data) || size(object.data) <= ${String(maxLedgerRecords)}`,
          message: `a kubeconfig ledger keeps at most ${String(maxLedgerRecords)} records`,
          reason: "Invalid",
        },
      ],
    },
  };
}
