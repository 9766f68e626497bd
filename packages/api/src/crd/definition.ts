import type { TSchema } from "typebox";

/** A column of `kubectl get`. */
export interface PrinterColumn {
  readonly name: string;
  readonly type: "string" | "integer" | "number" | "boolean" | "date";
  readonly jsonPath: string;
  readonly description?: string;
  /** 0 shows always, 1 only with -o wide. */
  readonly priority?: 0 | 1;
}

/** Everything needed to turn a kind's schema into its CustomResourceDefinition. */
export interface KindDefinition {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly scope: "Namespaced" | "Cluster";
  /** Longest name accepted, and why it is shorter than Kubernetes' own limit. */
  readonly name: { readonly maxLength: number; readonly why: string };
  /** spec and status (and root rules); apiVersion, kind and metadata are added. */
  readonly schema: TSchema;
  readonly printerColumns: readonly PrinterColumn[];
  readonly description: string;
}

/** Columns that end every kind's table. */
export const ageColumn: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };
/** The Ready condition as a column. */
export const readyColumn: PrinterColumn = { name: "Ready", type: "string", jsonPath: ".status.conditions[?(@.type==\"Ready\")].status" };
/** The phase as a column. */
export const phaseColumn: PrinterColumn = { name: "Phase", type: "string", jsonPath: ".status.phase" };
