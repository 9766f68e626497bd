import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { seedbedHome } from "../home.ts";

// The CA files token kubeconfigs name, one per platform, project and
// cluster, with the state of their refresh beside them. Only public
// certificates and times: nothing here grants access. Loaded by the exec
// plugin on every kubectl run: node:fs and node:path only.

/**
 * Where the CA files live: cluster-cas/ in $SEEDBED_HOME, beside the
 * default credentials/ but not in it, since `seedbed logout` removes that
 * and a kubeconfig naming a missing file fails before its plugin runs.
 */
export function clusterCAsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(seedbedHome(env), "cluster-cas");
}

/** A directory name for a management API: its host and port, readable, nothing but [a-z0-9.-_]. */
export function platformKey(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return server.toLowerCase().replace(/[^a-z0-9.-]/g, "_") || "_";
  }
  const port = url.port === "" ? (url.protocol === "http:" ? "80" : "443") : url.port;
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.hostname}_${port}${path}`.toLowerCase().replace(/[^a-z0-9.-]/g, "_");
}

/** The CA file of a cluster reached through the management API `server`. */
export function clusterCAFile(root: string, server: string, project: string, cluster: string): string {
  return join(root, platformKey(server), project, cluster, "ca.crt");
}

/** What the plugin keeps beside a CA file (check.json). */
export interface CAFileState {
  /** The management API the CA comes from: the plugin refreshes only through a session with it. */
  readonly server: string;
  readonly project: string;
  readonly cluster: string;
  /** When the CA was last handed out or checked (RFC 3339): the plugin reads the API at most once per interval. */
  readonly checkedAt: string;
}

function stateFileOf(caFile: string): string {
  return join(dirname(caFile), "check.json");
}

/** The state beside a CA file, or undefined when there is none (or it is not one). */
export function readCAState(caFile: string): CAFileState | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(stateFileOf(caFile), "utf8"));
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const s = parsed as Record<string, unknown>;
  if (typeof s.server !== "string" || typeof s.project !== "string" || typeof s.cluster !== "string" || typeof s.checkedAt !== "string") return undefined;
  return { server: s.server, project: s.project, cluster: s.cluster, checkedAt: s.checkedAt };
}

/** The CA bundle a kubeconfig reads, or undefined when the file is missing. */
export function readCA(caFile: string): string | undefined {
  return existsSync(caFile) ? readFileSync(caFile, "utf8") : undefined;
}

/**
 * Writes a file (mode 0600) through a temporary file in the same
 * directory and a rename: a kubectl starting meanwhile reads the old
 * content or the new, never half a file.
 */
export function writeFileAtomically(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    writeFileSync(temporary, content, { mode: 0o600 });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Records a check (or a hand-out) beside the CA file. */
export function writeCAState(caFile: string, state: CAFileState): void {
  writeFileAtomically(stateFileOf(caFile), `${JSON.stringify(state)}\n`);
}

/** Stores a CA bundle handed out, and its state: directories 0700, files 0600. */
export function storeClusterCA(caFile: string, pem: string, state: CAFileState): void {
  mkdirSync(dirname(caFile), { recursive: true, mode: 0o700 });
  chmodSync(dirname(caFile), 0o700);
  writeFileAtomically(caFile, pem);
  writeCAState(caFile, state);
}
