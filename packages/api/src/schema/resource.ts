import type { V1ObjectMeta } from "@kubernetes/client-node";
import type Type from "typebox";
import type { TSchema } from "typebox";

/** Seedbed's API group and version. */
export const group = "seedbed.dev";
export const version = "v1alpha1";
export const apiVersion = `${group}/${version}`;

/** A stored object of one of our kinds: type meta, object meta, and the kind's spec and status. */
export type ResourceOf<K extends string, S extends TSchema> = {
  apiVersion: typeof apiVersion;
  kind: K;
  metadata: V1ObjectMeta;
} & Type.Static<S>;
