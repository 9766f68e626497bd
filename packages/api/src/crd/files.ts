import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { group } from "../schema/resource.ts";
import { allKinds } from "../kinds.ts";
import { buildCRD } from "./build.ts";

/** Where the generated, checked-in CRD manifests live (for review and `kubectl apply -f deploy/crds/`). */
export const crdsDir: string = fileURLToPath(new URL("../../../../deploy/crds/", import.meta.url));

/**
 * The Helm chart's copy of the same manifests. Helm installs CRDs only from
 * a chart's own `crds/` folder and does not follow links out of the chart
 * when it packages one, so the generator writes a second copy there.
 */
export const chartCRDsDir: string = fileURLToPath(new URL("../../../../deploy/helm/seedbed/crds/", import.meta.url));

/** Every folder the generator writes the CRDs into; each holds exactly the files of `renderCRDs()`. */
export const crdOutputDirs: readonly string[] = [crdsDir, chartCRDsDir];

/** The file name of a kind's CRD. */
export function crdFileName(plural: string): string {
  return `${group}_${plural}.yaml`;
}

const header = "# Generated from packages/api by `npm run generate -w @seedbed/api`. Do not edit.\n";

/** Every CRD manifest as file name → YAML, exactly as they are checked in. */
export function renderCRDs(): Map<string, string> {
  return new Map(allKinds.map((kind) => [crdFileName(kind.plural), header + stringify(buildCRD(kind), { lineWidth: 0 })]));
}
