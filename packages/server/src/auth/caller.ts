import type { ObjectClient } from "@seedbed/runtime";

/** Who the caller is, as the management API authenticated their token. */
export interface Caller {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
}

interface SelfSubjectReview {
  status?: { userInfo?: { username?: string; uid?: string; groups?: string[] } };
}

/**
 * Asks the management API who holds the client's token
 * (SelfSubjectReview): whatever authenticator it runs (OIDC, tokens,
 * certificates) is the one that decides; we trust no claim ourselves.
 */
export async function whoAmI(client: ObjectClient): Promise<Caller> {
  const review = await client.request<SelfSubjectReview>("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
    body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
  });
  const info = review.status?.userInfo ?? {};
  return { username: info.username ?? "", ...(info.uid ? { uid: info.uid } : {}), groups: info.groups ?? [] };
}

/** What a SelfSubjectAccessReview asks about. */
export interface ResourceAttributes {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly name?: string;
  readonly namespace?: string;
}

/** Whether the client's token may do `attributes` (SelfSubjectAccessReview). */
export async function mayI(client: ObjectClient, attributes: ResourceAttributes): Promise<boolean> {
  const review = await client.request<{ status?: { allowed?: boolean } }>("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
    body: { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: { resourceAttributes: attributes } },
  });
  return review.status?.allowed === true;
}
