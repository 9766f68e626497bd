import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { group } from "../schema/resource.ts";
import { allKinds } from "../kinds.ts";
import { buildCRD } from "./build.ts";

/** Where the generated, checked-in CRD manifests live (the Helm chart and `seedbed up` install them from here). */
export const crdsDir: string = fileURLToPath(new URL("../../../../deploy/crds/", import.meta.url));

/** The file name of a kind's CRD. */
export function crdFileName(plural: string): string {
  return `${group}_${plural}.yaml`;
}

const header = "# Generated from packages/api by `npm run generate -w @seedbed/api`. Do not edit.\n";

/** Every CRD manifest as file name → YAML, exactly as they are checked in. */
export function renderCRDs(): Map<string, string> {
  return new Map(allKinds.map((kind) => [crdFileName(kind.plural), header + stringify(buildCRD(kind), { lineWidth: 0 })]));
}
