import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { admissionPolicies } from "./version-skew.ts";

/** The checked-in manifest of the admission policies (`kubectl apply -f` beside deploy/crds/). */
export const admissionPoliciesFile: string = fileURLToPath(new URL("../../../../deploy/policies/seedbed.dev_admission-policies.yaml", import.meta.url));

/** The Helm chart's copy, a template (with the chart's labels) so that `helm upgrade` updates it, as it never does CRDs. */
export const chartAdmissionPoliciesFile: string = fileURLToPath(new URL("../../../../deploy/helm/seedbed/templates/admission-policies.yaml", import.meta.url));

const header = "# Generated from packages/api/src/policy by `npm run generate -w @seedbed/api`. Do not edit.\n";

/** The policies and bindings as one multi-document YAML file. */
export function renderAdmissionPolicies(): string {
  return header + admissionPolicies().map((object) => stringify(object, { lineWidth: 0 })).join("---\n");
}

/** The same as the chart's template: each object carries the chart's standard labels. */
export function renderChartAdmissionPolicies(): string {
  const documents = admissionPolicies().map((object) => {
    const { apiVersion, kind, metadata, ...rest } = object;
    const head = stringify({ apiVersion, kind, metadata: { name: metadata?.name } }, { lineWidth: 0 });
    return `${head}  labels:\n    {{- include "seedbed.labels" . | nindent 4 }}\n${stringify(rest, { lineWidth: 0 })}`;
  });
  return header + documents.join("---\n");
}
