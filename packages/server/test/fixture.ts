import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { apiVersion, installCRDs, projectClusterRoleName, projectClusterRoles, projectRoles } from "@seedbed/api";
import { apply, ObjectClient } from "@seedbed/runtime";
import type { KubeAPI } from "@seedbed/testing";
import { startServer, type RunningServer, type ServerOptions } from "../src/index.ts";
import { pino, type Logger } from "pino";
import { afterAll } from "vitest";

/**
 * Static bearer tokens the test kube-apiserver accepts (--token-auth-file:
 * a real authenticator; the suite moves to OIDC tokens once the identity
 * package is in). carol is in group team-c, which is an editor of project a.
 */
export const tokens = { alice: "alice-token-7f3a", bob: "bob-token-91c2", carol: "carol-token-44de", server: "server-token-0b5e" } as const;

/**
 * Writes the token file and returns the kube-apiserver flag pointing to it.
 * Called while a test file is collected; the file goes after its tests
 * (the API server reads it until then).
 */
export function tokenAuthFlags(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "seedbed-server-tokens-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "tokens.csv");
  writeFileSync(file, [
    `${tokens.alice},alice,uid-alice,"developers"`,
    `${tokens.bob},bob,uid-bob`,
    `${tokens.carol},carol,uid-carol,"team-c,developers"`,
    `${tokens.server},seedbed-server,uid-server`,
  ].join("\n") + "\n");
  return { "token-auth-file": file };
}

/** A project's members, as in spec.members. */
type Member = { kind: "User" | "Group"; name: string; role: "owner" | "editor" | "viewer" };

/** The projects of the suite: a (alice owner, bob viewer, group team-c editor) and b (carol owner). */
export const projects: Record<string, Member[]> = {
  a: [{ kind: "User", name: "alice", role: "owner" }, { kind: "User", name: "bob", role: "viewer" }, { kind: "Group", name: "team-c", role: "editor" }],
  b: [{ kind: "User", name: "carol", role: "owner" }],
};

/**
 * What `seedbed up` and the operator would have made: the CRDs, the project
 * ClusterRoles, each Project with its namespace and member RoleBindings
 * (named as the operator names them; the operator itself is not running),
 * and the server's own right to read Projects, nothing more.
 */
export async function bootstrap(api: KubeAPI): Promise<void> {
  const kc = api.kubeConfig();
  await installCRDs(kc);
  const client = ObjectClient.fromKubeConfig(kc);
  const put = async (obj: object): Promise<void> => {
    await apply(client, obj as KubernetesObject);
  };
  for (const role of projectClusterRoles()) await put(role);
  for (const [name, members] of Object.entries(projects)) {
    await put({ apiVersion, kind: "Project", metadata: { name }, spec: { members } });
    await put({ apiVersion: "v1", kind: "Namespace", metadata: { name: `project-${name}` } });
    for (const role of projectRoles) {
      await put({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: `seedbed-${role}s`, namespace: `project-${name}` },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: projectClusterRoleName(role) },
        subjects: members.filter((m) => m.role === role).map((m) => ({ apiGroup: "rbac.authorization.k8s.io", kind: m.kind, name: m.name })),
      });
    }
  }
  await put({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "seedbed-server" }, rules: [{ apiGroups: ["seedbed.dev"], resources: ["projects"], verbs: ["get", "list", "watch"] }] });
  await put({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "seedbed-server" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "seedbed-server" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "seedbed-server" }],
  });
}

/** The management API's CA (PEM), from the harness's admin kubeconfig. */
export function managementCA(api: KubeAPI): string {
  return Buffer.from(api.kubeConfig().getCurrentCluster()?.caData ?? "", "base64").toString("utf8");
}

/** A kubeconfig holding only a bearer token: the server's own identity in the suite. */
export function tokenKubeConfig(api: KubeAPI, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "m", server: api.server, caData: Buffer.from(managementCA(api)).toString("base64") }],
    users: [{ name: "u", token }],
    contexts: [{ name: "m", cluster: "m", user: "u" }],
    currentContext: "m",
  });
  return kc;
}

/** A debug-level logger that keeps its lines, to check no token is ever written. */
export function memoryLogger(): { logger: Logger; text(): string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback): void {
      lines.push(chunk.toString("utf8"));
      callback();
    },
  });
  return { logger: pino({ level: "debug" }, stream), text: () => lines.join("") };
}

/** GET `path` as the harness's admin, as text (for /metrics, which is no JSON). */
export function adminGet(api: KubeAPI, path: string): Promise<string> {
  const kc = api.kubeConfig();
  const user = kc.getCurrentUser();
  const decode = (data: string | undefined): string => Buffer.from(data ?? "", "base64").toString("utf8");
  return new Promise((resolve, reject) => {
    const req = request(`${api.server}${path}`, { ca: managementCA(api), cert: decode(user?.certData), key: decode(user?.keyData) }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve(text));
    });
    req.on("error", reject);
    req.end();
  });
}

/** The server on a free loopback port in front of this API server, watching Projects as the server's own token; `options` add to that. */
export function startTestServer(api: KubeAPI, options: Partial<ServerOptions> = {}): Promise<RunningServer> {
  return startServer({ host: "127.0.0.1", port: 0, managementServer: api.server, managementCA: managementCA(api), kubeConfig: tokenKubeConfig(api, tokens.server), ...options });
}
