import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ExecPlugin } from "@seedbed/pki";
import { seedbedHome } from "./home.ts";

/** The CLI's entry point, run by kubectl (and by this CLI) as the exec credential plugin. */
const binScript = fileURLToPath(new URL("./bin/seedbed.ts", import.meta.url));

/** Where `seedbed login` keeps the user's tokens: $SEEDBED_CREDENTIALS, or credentials.json in $SEEDBED_HOME. */
export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.SEEDBED_CREDENTIALS ?? join(seedbedHome(env), "credentials.json");
}

/** Whether someone has logged in (and not out) with these credentials. */
export function loggedIn(env: NodeJS.ProcessEnv = process.env): boolean {
  return existsSync(credentialsPath(env));
}

/**
 * `seedbed token` as a kubectl exec plugin: this Node.js (kubectl's PATH may
 * find an older one) running this CLI, told which credentials to use, so
 * the kubeconfig works from any directory.
 */
export function tokenPlugin(env: NodeJS.ProcessEnv = process.env): ExecPlugin {
  return { command: process.execPath, args: [binScript, "token"], env: { SEEDBED_CREDENTIALS: credentialsPath(env) } };
}
