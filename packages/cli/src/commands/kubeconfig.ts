import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { clusterObjectNames, kubeconfigSecretKey, type Cluster } from "@seedbed/api";
import { parse, stringify } from "yaml";
import { commandContext, type CommandContext, type GlobalOptions } from "../context.ts";
import { credentialsDir, currentLogin, tokenPlugin } from "../credentials.ts";
import { clusterTokenKubeconfig } from "./cluster-kubeconfig.ts";
import { CliError, ExitCode, explain } from "../errors.ts";

/** Options of `seedbed kubeconfig`. */
export interface KubeconfigOptions extends GlobalOptions {
  readonly merge?: boolean;
  /** The certificate-based admin kubeconfig (project owners only) instead of one that logs in with the user's token. */
  readonly admin?: boolean;
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
 * session, so the file could not work for the one asking.
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
  const kubeconfig = options.admin === true ? await adminKubeconfig(ctx, name) : await tokenKubeconfig(ctx, name);
  if (options.merge !== true) {
    ctx.out.write(kubeconfig);
    return;
  }
  const target = (process.env.KUBECONFIG ?? "").split(":").find((p) => p !== "") ?? join(homedir(), ".kube", "config");
  const context = mergeKubeconfig(target, kubeconfig, `seedbed-${ctx.project}-${name}`);
  ctx.out.write(`Merged cluster ${name} into ${target} as context ${context}, now the current context.\n`);
}

async function tokenKubeconfig(ctx: CommandContext, name: string): Promise<string> {
  const cluster = (await ctx.objects.getNamespacedCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "clusters", namespace: ctx.namespace, name }).catch((error: unknown) => {
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  })) as Cluster;
  const kubeconfig = clusterTokenKubeconfig(cluster, tokenPlugin());
  if (kubeconfig === undefined) throw new CliError(`cluster ${name} has no endpoint yet: wait until it is ready (seedbed cluster get ${name} --project ${ctx.project})`, ExitCode.notFound);
  return kubeconfig;
}

async function adminKubeconfig(ctx: CommandContext, name: string): Promise<string> {
  const secret = await ctx.core.readNamespacedSecret({ name: clusterObjectNames.adminKubeconfigSecret(name), namespace: ctx.namespace }).catch(async (error: unknown) => {
    // Tell "no such cluster" apart from "not ready yet".
    const exists = await ctx.objects.getNamespacedCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "clusters", namespace: ctx.namespace, name }).then(() => true, () => false);
    if (exists) throw new CliError(`cluster ${name} has no kubeconfig yet: wait until it is ready (seedbed cluster get ${name} --project ${ctx.project})`, ExitCode.notFound);
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  });
  const encoded = secret.data?.[kubeconfigSecretKey];
  if (encoded === undefined) throw new CliError(`the kubeconfig Secret of cluster ${name} has no ${kubeconfigSecretKey} key`, ExitCode.failure);
  return Buffer.from(encoded, "base64").toString("utf8");
}

/** Adds a kubeconfig's cluster, user and context to a file under one name (replacing older entries of that name); returns the context name. */
export function mergeKubeconfig(target: string, kubeconfig: string, name: string): string {
  const incoming = parse(kubeconfig) as KubeconfigFile;
  const existing: KubeconfigFile = existsSync(target) ? ((parse(readFileSync(target, "utf8")) as KubeconfigFile | null) ?? {}) : {};
  const rename = (entries: NamedEntry[] | undefined): NamedEntry[] => (entries ?? []).slice(0, 1).map((e) => ({ ...e, name }));
  const [cluster] = rename(incoming.clusters);
  const [user] = rename(incoming.users);
  const [ctx] = rename(incoming.contexts);
  if (!cluster || !user || !ctx) throw new CliError("the cluster's kubeconfig is incomplete", ExitCode.failure);
  ctx.context = { ...(ctx.context as object), cluster: name, user: name };
  const merged: KubeconfigFile = {
    ...existing,
    apiVersion: "v1",
    kind: "Config",
    clusters: [...(existing.clusters ?? []).filter((e) => e.name !== name), cluster],
    users: [...(existing.users ?? []).filter((e) => e.name !== name), user],
    contexts: [...(existing.contexts ?? []).filter((e) => e.name !== name), ctx],
    "current-context": name,
  };
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  writeFileSync(target, stringify(merged), { mode: 0o600 });
  chmodSync(target, 0o600);
  return name;
}
