/** Which tenant object: what an inventory lists and a problem names. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** The API group of an apiVersion ("" for the core group). */
export function groupOfVersion(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? "" : apiVersion.slice(0, slash);
}

/**
 * One key per object, whatever version names it: "group/Kind/namespace/name".
 * Two versions of a kind are one object to the API server.
 */
export function refKey(ref: ObjectRef): string {
  return [groupOfVersion(ref.apiVersion), ref.kind, ref.namespace ?? "", ref.name].join("/");
}

/** The ref of an object (its apiVersion, kind, namespace and name). */
export function refOf(obj: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): ObjectRef {
  return { apiVersion: obj.apiVersion, kind: obj.kind, ...(obj.metadata.namespace === undefined ? {} : { namespace: obj.metadata.namespace }), name: obj.metadata.name };
}

/** "Kind namespace/name" or "Kind name", for messages. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace === undefined ? "" : `${ref.namespace}/`}${ref.name}`;
}
