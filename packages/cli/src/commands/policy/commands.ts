import { policyClusterEntries } from "@seedbed/api";
import { commandContext, type GlobalOptions } from "../../context.ts";
import { explain } from "../../errors.ts";
import { outputFormat, printData, printTable } from "../../output.ts";
import { listPolicies, policyScope, readPolicy, syncsOfPolicy } from "./policies-api.ts";
import { policyLines, policyRows, policyTableHeader, statusLines } from "./view.ts";

/** Options of the policy commands that name one namespace. */
export interface PolicyOptions extends GlobalOptions {
  /** A platform-wide policy, in seedbed-system, instead of a project's. */
  readonly platform?: boolean;
  readonly output?: string;
}

/** Options of `seedbed policy list`. */
export interface ListPoliciesOptions extends PolicyOptions {
  /** -A: every namespace the caller may list (projects' and the platform's). */
  readonly allNamespaces?: boolean;
}

/** Lists the ClusterPolicies of a project (--platform: seedbed-system; -A: everywhere) with their counts. */
export async function listPoliciesCommand(options: ListPoliciesOptions, out?: NodeJS.WritableStream): Promise<void> {
  const format = outputFormat(options.output);
  const ctx = commandContext(options, out);
  const scope = policyScope(ctx, options.platform);
  const all = options.allNamespaces === true;
  const policies = await listPolicies(ctx, all ? undefined : scope.namespace).catch((error: unknown) => {
    throw explain(error, { kind: "policies", ...(all ? {} : { project: ctx.project }), server: ctx.server });
  });
  if (format !== "table") {
    printData(ctx.out, format, { apiVersion: "v1", kind: "List", items: policies });
    return;
  }
  if (policies.length === 0) {
    ctx.out.write(`No policies in ${all ? "any namespace you can list" : scope.where}. Write one (see the README, "Cluster registry and policies") and kubectl apply -f it.\n`);
    return;
  }
  printTable(ctx.out, policyTableHeader, policyRows(policies));
}

/** Shows one ClusterPolicy: what it keeps, where, its conflict rules and counts (-o json|yaml: the object). */
export async function getPolicyCommand(name: string, options: PolicyOptions, out?: NodeJS.WritableStream): Promise<void> {
  const format = outputFormat(options.output);
  const ctx = commandContext(options, out);
  const policy = await readPolicy(ctx, policyScope(ctx, options.platform), name);
  if (format !== "table") {
    printData(ctx.out, format, policy);
    return;
  }
  ctx.out.write(`${policyLines(policy).join("\n")}\n`);
}

/**
 * Shows how a policy stands: its counts and offenders (its own status),
 * and each cluster's state, objects and problems, read from the
 * ClusterSyncs that list or report it (the policy's status never grows
 * with the fleet; the detail lives there).
 */
export async function policyStatusCommand(name: string, options: PolicyOptions, out?: NodeJS.WritableStream): Promise<void> {
  const format = outputFormat(options.output);
  const ctx = commandContext(options, out);
  const policy = await readPolicy(ctx, policyScope(ctx, options.platform), name);
  const clusters = policyClusterEntries(policy, await syncsOfPolicy(ctx, policy));
  if (format !== "table") {
    const { metadata, status } = policy;
    printData(ctx.out, format, { namespace: metadata.namespace, name: metadata.name, uid: metadata.uid, generation: metadata.generation, status: status ?? {}, clusters });
    return;
  }
  ctx.out.write(`${statusLines(policy, clusters).join("\n")}\n`);
}
