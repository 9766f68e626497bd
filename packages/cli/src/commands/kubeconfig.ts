import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { clusterObjectNames, kubeconfigSecretKey } from "@seedbed/api";
import { parse, stringify } from "yaml";
import { commandContext, type GlobalOptions } from "../context.ts";
import { CliError, ExitCode, explain } from "../errors.ts";

/** Options of `seedbed kubeconfig`. */
export interface KubeconfigOptions extends GlobalOptions {
  readonly merge?: boolean;
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

/** Prints a cluster's kubeconfig, or merges it into ~/.kube/config (its context becomes the current one). */
export async function kubeconfigCommand(name: string, options: KubeconfigOptions, out?: NodeJS.WritableStream): Promise<void> {
  const ctx = commandContext(options, out);
  const secret = await ctx.core.readNamespacedSecret({ name: clusterObjectNames.adminKubeconfigSecret(name), namespace: ctx.namespace }).catch(async (error: unknown) => {
    // Tell "no such cluster" apart from "not ready yet".
    const exists = await ctx.objects.getNamespacedCustomObject({ group: "seedbed.dev", version: "v1alpha1", plural: "clusters", namespace: ctx.namespace, name }).then(() => true, () => false);
    if (exists) throw new CliError(`cluster ${name} has no kubeconfig yet: wait until it is ready (seedbed cluster get ${name} --project ${ctx.project})`, ExitCode.notFound);
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  });
  const encoded = secret.data?.[kubeconfigSecretKey];
  if (encoded === undefined) throw new CliError(`the kubeconfig Secret of cluster ${name} has no ${kubeconfigSecretKey} key`, ExitCode.failure);
  const kubeconfig = Buffer.from(encoded, "base64").toString("utf8");
  if (options.merge !== true) {
    ctx.out.write(kubeconfig);
    return;
  }
  const target = (process.env.KUBECONFIG ?? "").split(":").find((p) => p !== "") ?? join(homedir(), ".kube", "config");
  const context = mergeKubeconfig(target, kubeconfig, `seedbed-${ctx.project}-${name}`);
  ctx.out.write(`Merged cluster ${name} into ${target} as context ${context}, now the current context.\n`);
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
