import { commandContext, type GlobalOptions } from "../../context.ts";
import { explain } from "../../errors.ts";
import { age, outputFormat, printData, printTable } from "../../output.ts";
import { listClusters } from "./clusters-api.ts";

/** Options of `seedbed cluster list`. */
export interface ListClustersOptions extends GlobalOptions {
  readonly output?: string;
}

/** Lists a project's clusters as a table, JSON or YAML. */
export async function listClustersCommand(options: ListClustersOptions, out?: NodeJS.WritableStream): Promise<void> {
  const format = outputFormat(options.output);
  const ctx = commandContext(options, out);
  const clusters = await listClusters(ctx).catch((error: unknown) => {
    throw explain(error, { kind: "clusters", project: ctx.project, server: ctx.server });
  });
  if (format !== "table") {
    printData(ctx.out, format, { apiVersion: "v1", kind: "List", items: clusters });
    return;
  }
  if (clusters.length === 0) {
    ctx.out.write(`No clusters in project ${ctx.project}. Create one: seedbed cluster create NAME --project ${ctx.project} --wait\n`);
    return;
  }
  printTable(
    ctx.out,
    ["NAME", "VERSION", "PHASE", "READY", "ENDPOINT", "AGE"],
    clusters.map((c) => [
      c.metadata.name ?? "",
      c.status?.version ?? c.spec.version ?? "",
      c.status?.phase ?? "Pending",
      c.status?.conditions?.find((x) => x.type === "Ready")?.status ?? "Unknown",
      c.status?.endpoint ?? "",
      age(c.metadata.creationTimestamp),
    ]),
  );
}
