import Type from "typebox";
import { ageColumn, type KindDefinition } from "../crd/definition.ts";
import { maxNameLength } from "../schema/names.ts";
import type { ResourceOf } from "../schema/resource.ts";
import { Addon, Auth, Backup, ControlPlane, Exposure, Network } from "./cluster.ts";
import { CertificatePolicy } from "./certificates.ts";
import { MapList } from "../schema/primitives.ts";
import { kubernetesVersionRules } from "../schema/rules.ts";

/** The parts of a Cluster spec a template can fill in. */
export const ClusterTemplateSpec = Type.Object({
  description: Type.Optional(Type.String({ maxLength: 1024 })),
  version: Type.Optional(Type.String({ maxLength: 16, "x-kubernetes-validations": kubernetesVersionRules() })),
  controlPlane: Type.Optional(ControlPlane),
  network: Type.Optional(Network),
  exposure: Type.Optional(Exposure),
  auth: Type.Optional(Auth),
  addons: Type.Optional(MapList(Addon, ["name"], { maxItems: 64 })),
  backup: Type.Optional(Backup),
  certificates: Type.Optional(CertificatePolicy),
});

/** The ClusterTemplate resource schema (templates have no status). */
export const ClusterTemplateSchema = Type.Object({ spec: ClusterTemplateSpec });

/** Defaults that Clusters naming this template start from. */
export type ClusterTemplate = ResourceOf<"ClusterTemplate", typeof ClusterTemplateSchema>;
/** A ClusterTemplate's spec. */
export type ClusterTemplateSpec = Type.Static<typeof ClusterTemplateSpec>;

/** ClusterTemplate as a CRD. */
export const clusterTemplateKind: KindDefinition = {
  kind: "ClusterTemplate",
  plural: "clustertemplates",
  singular: "clustertemplate",
  shortNames: ["ct", "sbct"],
  scope: "Namespaced",
  name: { maxLength: maxNameLength.clusterTemplate, why: "the longest name Kubernetes allows for a label value" },
  schema: ClusterTemplateSchema,
  description: "Defaults a Cluster starts from: a Cluster naming this template in spec.template gets every group it leaves out from here.",
  printerColumns: [
    { name: "Version", type: "string", jsonPath: ".spec.version" },
    { name: "CNI", type: "string", jsonPath: ".spec.network.cni" },
    { name: "Description", type: "string", jsonPath: ".spec.description" },
    ageColumn,
  ],
};
