import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ExecPlugin } from "@seedbed/pki";
import { tokenTargetArgs, type TokenTarget } from "./cluster-ca/target.ts";
import { seedbedHome } from "./home.ts";

/** The CLI's entry point, run by kubectl (and by this CLI) as the exec credential plugin. */
const binScript = fileURLToPath(new URL("./bin/seedbed.ts", import.meta.url));

/** Where `seedbed login` keeps the user's session: $SEEDBED_CREDENTIALS, or credentials/ in $SEEDBED_HOME. */
export function credentialsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SEEDBED_CREDENTIALS ?? join(seedbedHome(env), "credentials");
}

/** The tokens (a TokenStore file, mode 0600). */
export function tokensPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(credentialsDir(env), "tokens.json");
}

/** Who logged in, and the issuer's CA for refreshing (nothing secret; the management API is in the login's kubeconfig). */
export interface LoginRecord {
  readonly user: string;
  readonly issuerCA?: string;
}

export function loginRecordPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(credentialsDir(env), "login.json");
}

/** A kubeconfig for kubectl on the management API as the logged-in user (written by `seedbed login`). */
export function managementKubeconfigOf(dir: string): string {
  return join(dir, "management.kubeconfig");
}

/** The current login, or undefined when nobody is logged in. */
export function currentLogin(env: NodeJS.ProcessEnv = process.env): LoginRecord | undefined {
  const path = loginRecordPath(env);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as LoginRecord) : undefined;
}

/**
 * `seedbed token` as a kubectl exec plugin for kubeconfigs handed out
 * (`seedbed kubeconfig`, the REST API's downloads): this Node.js (kubectl's
 * PATH may find an older one) running this CLI, and no credential store.
 * Like kubelogin's, whoever runs the file logs in as themselves, from the
 * store their own environment names ($SEEDBED_CREDENTIALS, else
 * $SEEDBED_HOME/credentials), so a team can share one file; naming the
 * issuer's store would let anyone with the file act as the issuer. With a
 * target (`seedbed kubeconfig`), the plugin also keeps that cluster's CA
 * file current (src/cluster-ca).
 */
export function tokenPlugin(target?: TokenTarget): ExecPlugin {
  return { command: process.execPath, args: [binScript, "token", ...(target === undefined ? [] : tokenTargetArgs(target))] };
}

/**
 * The plugin of the kubeconfig `seedbed login` keeps inside the session it
 * belongs to (credentials/management.kubeconfig, mode 0600): pinned to
 * that session, so `kubectl --kubeconfig` on it works from any shell. It
 * is never handed out.
 */
export function sessionTokenPlugin(env: NodeJS.ProcessEnv = process.env): ExecPlugin {
  return { ...tokenPlugin(), env: { SEEDBED_CREDENTIALS: credentialsDir(env) } };
}
