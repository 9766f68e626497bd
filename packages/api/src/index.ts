export { buildCRD, toStructural } from "./crd/build.ts";
export type { KindDefinition, PrinterColumn } from "./crd/definition.ts";
export { crdFileName, crdsDir, renderCRDs } from "./crd/files.ts";
export { allKinds } from "./kinds.ts";
export type { Condition, LabelSelector } from "./schema/common.ts";
export { offeredMinors } from "./schema/rules.ts";
export { apiVersion, group, version, type ResourceOf } from "./schema/resource.ts";
export * from "./v1alpha1/index.ts";
