// Writes deploy/crds/ and the Helm chart's deploy/helm/seedbed/crds/ from
// the TypeBox definitions, and the admission policies (deploy/policies/,
// the chart's templates/). Run after changing a kind:
// npm run generate -w @seedbed/api
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { crdOutputDirs, renderCRDs } from "../crd/files.ts";
import { admissionPoliciesFile, chartAdmissionPoliciesFile, renderAdmissionPolicies, renderChartAdmissionPolicies } from "../policy/files.ts";
import { chartProjectRolesFile, renderProjectRoles } from "../rbac/project-roles.ts";

const files = renderCRDs();
for (const dir of crdOutputDirs) {
  mkdirSync(dir, { recursive: true });
  // A kind renamed or removed must not leave its old CRD behind.
  for (const stale of readdirSync(dir).filter((name) => name.endsWith(".yaml") && !files.has(name))) {
    rmSync(join(dir, stale));
  }
  for (const [name, yaml] of files) writeFileSync(join(dir, name), yaml);
  process.stdout.write(`Wrote ${files.size} CRDs to ${dir}\n`);
}
writeFileSync(chartProjectRolesFile, renderProjectRoles());
process.stdout.write(`Wrote the project ClusterRoles to ${chartProjectRolesFile}\n`);
mkdirSync(dirname(admissionPoliciesFile), { recursive: true });
writeFileSync(admissionPoliciesFile, renderAdmissionPolicies());
writeFileSync(chartAdmissionPoliciesFile, renderChartAdmissionPolicies());
process.stdout.write(`Wrote the admission policies to ${admissionPoliciesFile} and ${chartAdmissionPoliciesFile}\n`);
