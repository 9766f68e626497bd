export { buildCRD, toStructural, type CRDManifest, type StructuralSchema } from "./crd/build.ts";
export type { KindDefinition, PrinterColumn } from "./crd/definition.ts";
export { crdFileName, crdsDir, renderCRDs } from "./crd/files.ts";
export { installCRDs, type InstallCRDsOptions } from "./crd/install.ts";
export { allKinds } from "./kinds.ts";
export type { Condition, LabelSelector } from "./schema/common.ts";
export { offeredMinors } from "./schema/rules.ts";
export { apiVersion, group, version, type ResourceOf } from "./schema/resource.ts";
export * from "./v1alpha1/index.ts";
