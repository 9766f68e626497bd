import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { clusterObjectNames, kubeconfigSecretKey, recordKubeconfig, withCertificateAuthority, type Cluster, type KubeconfigKind } from "@seedbed/api";
import { parse, stringify } from "yaml";
import { commandContext, type CommandContext, type GlobalOptions } from "../context.ts";
import { credentialsDir, currentLogin, tokenPlugin } from "../credentials.ts";
import { clusterCAFile, clusterCAsDir, storeClusterCA } from "../cluster-ca/files.ts";
import { withCertificateAuthorityFile } from "../cluster-ca/kubeconfig-file.ts";
import { certificateBundle } from "../cluster-ca/plan.ts";
import { clusterTokenKubeconfig } from "./cluster-kubeconfig.ts";
import { CliError, ExitCode, explain } from "../errors.ts";
import { cliLedgerClient, currentUserName } from "./cluster/ledger.ts";

/** Options of `seedbed kubeconfig`. */
export interface KubeconfigOptions extends GlobalOptions {
  readonly merge?: boolean;
  /** The certificate-based admin kubeconfig (project owners only) instead of one that logs in with the user's token. */
  readonly admin?: boolean;
  /** A token kubeconfig that carries its CA (certificate-authority-data) instead of naming this machine's CA file: for another machine, but it stops working when a CA rotation completes. */
  readonly embedCa?: boolean;
}

interface NamedEntry {
  name: string;
  [key: string]: unknown;
}

interface KubeconfigFile {
  apiVersion?: string;
  kind?: string;
  clusters?: NamedEntry[];
  users?: NamedEntry[];
  contexts?: NamedEntry[];
  "current-context"?: string;
  [key: string]: unknown;
}

/**
 * Prints a cluster's kubeconfig, or merges it into ~/.kube/config (its
 * context becomes the current one). By default the kubeconfig logs in as
 * whoever uses it (`seedbed token` with their own session), so it names no
 * one and a team can share it; `--admin` hands out the certificate-based
 * admin kubeconfig, which only project owners (and the platform admin) may
 * read. Without a login the default is refused: its plugin would find no
 * session, so the file could not work for the one asking. Either way the
 * file trusts the cluster's current CA bundle (status.certificateAuthority:
 * old and new CA during a rotation), merging refreshes the CA of every
 * entry of the file for the same endpoint, and the hand-out is recorded in
 * the cluster's kubeconfig ledger (who, when, which CAs).
 *
 * A token kubeconfig names its CA as a file (certificate-authority) under
 * $SEEDBED_HOME/cluster-cas/<platform>/<project>/<cluster>/, and its plugin
 * (`seedbed token --project --cluster --ca-file`) rewrites that file when
 * the cluster's bundle changes, so it keeps working through a CA rotation
 * (src/cluster-ca). --admin kubeconfigs and --embed-ca carry the CA inline.
 */
export async function kubeconfigCommand(name: string, options: KubeconfigOptions, out?: NodeJS.WritableStream): Promise<void> {
  if (options.admin !== true && currentLogin() === undefined) {
    throw new CliError(
      `not logged in: the kubeconfig of cluster ${name} logs in through \`seedbed token\`, which finds no session in ${credentialsDir()}. `
        + "Log in first: seedbed login; or, as a project owner or the platform admin, add --admin for the cluster's certificate kubeconfig",
      ExitCode.unauthenticated,
    );
  }
  const ctx = commandContext(options, out);
  const kind: KubeconfigKind = options.admin === true ? "admin" : "token";
  const handed = kind === "admin" ? await adminKubeconfig(ctx, name) : await tokenKubeconfig(ctx, name, options.embedCa === true);
  const bundle = handed.cluster.status?.certificateAuthority;
  const embedded = bundle === undefined ? handed.kubeconfig : withCertificateAuthority(handed.kubeconfig, bundle);
  const kubeconfig = handed.caFile === undefined || bundle === undefined ? embedded : referenceCAFile(ctx, name, embedded, handed.caFile, bundle);
  // Recorded with the CAs handed out: the ledger reads them from certificate-authority-data, which a file reference does not have.
  await record(ctx, handed.cluster, kind, embedded);
  if (options.merge !== true) {
    ctx.out.write(kubeconfig);
    return;
  }
  const target = (process.env.KUBECONFIG ?? "").split(":").find((p) => p !== "") ?? join(homedir(), ".kube", "config");
  const { context, refreshed } = mergeKubeconfigFile(target, kubeconfig, `seedbed-${ctx.project}-${name}`);
  ctx.out.write(`Merged cluster ${name} into ${target} as context ${context}, now the current context.\n`);
  if (refreshed.length > 0) ctx.out.write(`Refreshed the CA of ${refreshed.join(", ")} too (same endpoint).\n`);
}

/**
 * Records the hand-out in the cluster's ledger, as the user. A failure (a
 * role without the ledger's right, an old platform) is a warning: the
 * ledger informs a CA rotation, it must not keep anyone from their
 * cluster.
 */
async function record(ctx: CommandContext, cluster: Cluster, kind: KubeconfigKind, kubeconfig: string): Promise<void> {
  try {
    const holder = await currentUserName(ctx.kubeConfig);
    await recordKubeconfig(cliLedgerClient(ctx.core), { cluster, holder, kind, kubeconfig, via: "cli", now: new Date() });
  } catch (error) {
    const why = explain(error, { kind: "kubeconfig ledger of cluster", name: cluster.metadata.name, project: ctx.project, server: ctx.server }).message;
    process.stderr.write(`seedbed: warning: this kubeconfig was not recorded in the cluster's kubeconfig ledger (${why}); a CA rotation will not list it as outstanding\n`);
  }
}

/** A kubeconfig as read or built, with the cluster it is for. */
interface Handed {
  readonly cluster: Cluster;
  readonly kubeconfig: string;
  /** A token kubeconfig's CA file, which its plugin keeps current. */
  readonly caFile?: string;
}

async function tokenKubeconfig(ctx: CommandContext, name: string, embedCA: boolean): Promise<Handed> {
  const cluster = (await ctx.objects.getNamespacedCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "clusters", namespace: ctx.namespace, name }).catch((error: unknown) => {
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  })) as Cluster;
  const caFile = embedCA ? undefined : clusterCAFile(clusterCAsDir(), ctx.server, ctx.project, name);
  const kubeconfig = clusterTokenKubeconfig(cluster, tokenPlugin(caFile === undefined ? undefined : { project: ctx.project, cluster: name, caFile }));
  if (kubeconfig === undefined) throw new CliError(`cluster ${name} has no endpoint yet: wait until it is ready (seedbed cluster get ${name} --project ${ctx.project})`, ExitCode.notFound);
  return { cluster, kubeconfig, ...(caFile === undefined ? {} : { caFile }) };
}

/**
 * Writes the CA bundle handed out to the token kubeconfig's CA file (and
 * the state its plugin checks from), and answers the kubeconfig naming
 * that file instead of carrying the bundle.
 */
function referenceCAFile(ctx: CommandContext, name: string, kubeconfig: string, caFile: string, bundle: string): string {
  try {
    storeClusterCA(caFile, certificateBundle(bundle) ?? bundle, { server: ctx.server, project: ctx.project, cluster: name, checkedAt: new Date().toISOString() });
  } catch (error) {
    throw new CliError(`cannot write the CA file of cluster ${name} at ${caFile} (${(error as Error).message}): make $SEEDBED_HOME writable, or add --embed-ca for a kubeconfig that carries the CA (it stops working when a CA rotation completes)`, ExitCode.failure);
  }
  return withCertificateAuthorityFile(kubeconfig, caFile);
}

async function adminKubeconfig(ctx: CommandContext, name: string): Promise<Handed> {
  const secret = await ctx.core.readNamespacedSecret({ name: clusterObjectNames.adminKubeconfigSecret(name), namespace: ctx.namespace }).catch(async (error: unknown) => {
    // Tell "no such cluster" apart from "not ready yet".
    const exists = await ctx.objects.getNamespacedCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "clusters", namespace: ctx.namespace, name }).then(() => true, () => false);
    if (exists) throw new CliError(`cluster ${name} has no kubeconfig yet: wait until it is ready (seedbed cluster get ${name} --project ${ctx.project})`, ExitCode.notFound);
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  });
  const encoded = secret.data?.[kubeconfigSecretKey];
  if (encoded === undefined) throw new CliError(`the kubeconfig Secret of cluster ${name} has no ${kubeconfigSecretKey} key`, ExitCode.failure);
  const cluster = (await ctx.objects.getNamespacedCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "clusters", namespace: ctx.namespace, name }).catch((error: unknown) => {
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  })) as Cluster;
  return { cluster, kubeconfig: Buffer.from(encoded, "base64").toString("utf8") };
}

/** Adds a kubeconfig's cluster, user and context to a file under one name (replacing older entries of that name); returns the context name. */
export function mergeKubeconfig(target: string, kubeconfig: string, name: string): string {
  return mergeKubeconfigFile(target, kubeconfig, name).context;
}

/** Whether two cluster entries reach the same API server: same server URL and TLS server name. */
function sameEndpoint(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  if (a === undefined || b === undefined || a.server === undefined) return false;
  return a.server === b.server && a["tls-server-name"] === b["tls-server-name"];
}

/**
 * mergeKubeconfig, and the names of the file's other cluster entries for
 * the same endpoint (merged by hand or under an older name) whose CA was
 * refreshed too: after a CA rotation they would otherwise trust only the
 * old CA.
 */
export function mergeKubeconfigFile(target: string, kubeconfig: string, name: string): { context: string; refreshed: string[] } {
  const incoming = parse(kubeconfig) as KubeconfigFile;
  const existing: KubeconfigFile = existsSync(target) ? ((parse(readFileSync(target, "utf8")) as KubeconfigFile | null) ?? {}) : {};
  const rename = (entries: NamedEntry[] | undefined): NamedEntry[] => (entries ?? []).slice(0, 1).map((e) => ({ ...e, name }));
  const [cluster] = rename(incoming.clusters);
  const [user] = rename(incoming.users);
  const [ctx] = rename(incoming.contexts);
  if (!cluster || !user || !ctx) throw new CliError("the cluster's kubeconfig is incomplete", ExitCode.failure);
  ctx.context = { ...(ctx.context as object), cluster: name, user: name };
  const incomingCluster = cluster.cluster as Record<string, unknown> | undefined;
  // The incoming entry's CA as it has it: inline, or the file a token kubeconfig's plugin keeps current.
  const caFields = (["certificate-authority-data", "certificate-authority"] as const).filter((field) => incomingCluster?.[field] !== undefined);
  const refreshed: string[] = [];
  const others = (existing.clusters ?? []).filter((e) => e.name !== name).map((e) => {
    const entry = e.cluster as Record<string, unknown> | undefined;
    if (!sameEndpoint(entry, incomingCluster) || caFields.length === 0) return e;
    refreshed.push(e.name);
    const next: Record<string, unknown> = { ...entry };
    delete next["certificate-authority-data"];
    delete next["certificate-authority"];
    for (const field of caFields) next[field] = incomingCluster?.[field];
    return { ...e, cluster: next };
  });
  const merged: KubeconfigFile = {
    ...existing,
    apiVersion: "v1",
    kind: "Config",
    clusters: [...others, cluster],
    users: [...(existing.users ?? []).filter((e) => e.name !== name), user],
    contexts: [...(existing.contexts ?? []).filter((e) => e.name !== name), ctx],
    "current-context": name,
  };
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  writeFileSync(target, stringify(merged), { mode: 0o600 });
  chmodSync(target, 0o600);
  return { context: name, refreshed };
}
