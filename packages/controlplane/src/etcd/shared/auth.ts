import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { failedWith, runEtcdctl, type SharedEtcdAccess } from "./run.ts";

/*
 * etcd's RBAC on a shared etcd (etcd op-guide "Role-based access control"):
 * the user and role "root" must exist before `auth enable`. root has no
 * password, so only a client certificate with CN=root logs in as it.
 */

/** What bootstrapAuth found: auth switched on now, or on already. */
export type AuthBootstrap = "enabled" | "already-enabled";

/** The CN of a PEM certificate, or undefined when it has none. */
export function certificateCommonName(pem: string): string | undefined {
  const subject = new X509Certificate(pem).subject;
  return /^CN=(.*)$/m.exec(subject)?.[1];
}

/**
 * Switches etcd's authentication on, idempotently: user root without a
 * password, role root granted to it, `auth enable`. The admin certificate
 * must have CN=root, since after `auth enable` it is the only way in;
 * bootstrapping with another one would lock Seedbed out, so it is refused.
 * When auth is on already, checks that the certificate really is root's.
 */
export async function bootstrapAuth(admin: SharedEtcdAccess): Promise<AuthBootstrap> {
  const cn = certificateCommonName(readFileSync(admin.certFile, "utf8"));
  if (cn !== "root") throw new Error(`bootstrapAuth: the certificate in certFile has CN=${cn ?? "(none)"}; etcd takes the CN as the user, so give a client certificate with CN=root signed by the etcd CA`);
  const status = JSON.parse(await runEtcdctl(admin, ["auth", "status", "-w", "json"])) as { enabled?: boolean };
  if (status.enabled === true) {
    // Only root may list roles: a cheap proof the certificate works as root.
    await runEtcdctl(admin, ["role", "list", "-w", "json"]);
    return "already-enabled";
  }
  await tolerate(runEtcdctl(admin, ["user", "add", "root", "--no-password", "-w", "json"]), "user name already exists");
  await tolerate(runEtcdctl(admin, ["role", "add", "root", "-w", "json"]), "role name already exists");
  // Granting a role the user has is a no-op in etcd (logged as "ignored grant role request").
  await runEtcdctl(admin, ["user", "grant-role", "root", "root", "-w", "json"]);
  // Enabling auth that is on already is a no-op too, so a race with another bootstrap is harmless.
  await runEtcdctl(admin, ["auth", "enable", "-w", "json"]);
  return "enabled";
}

/** Awaits a call, taking an etcd error with one of `texts` as success (the state is already as wanted). */
export async function tolerate(call: Promise<unknown>, ...texts: readonly string[]): Promise<boolean> {
  try {
    await call;
    return true;
  } catch (error) {
    if (failedWith(error, ...texts)) return false;
    throw error;
  }
}
