import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useApi } from "../api/client.ts";
import type { List, ObjectMeta } from "../api/types.ts";
import { Badge, type Tone } from "../ui/Badge.tsx";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { Progress } from "../ui/Progress.tsx";
import { clusterKeys, projectPath } from "./queries.ts";
import { Section } from "./Section.tsx";
import { DataTable } from "../ui/DataTable.tsx";

/** How a policy stands on one cluster (GET …/policies/:policy/clusters, server routes/policy-page.ts). */
interface PolicyClusterEntry {
  cluster: string;
  selected: boolean;
  state: string;
  objects: number;
  problemCount: number;
  problems: { kind: string; name: string; reason: string; message: string }[];
  message?: string;
}

/** A policy that selects this cluster, with its entry. */
interface PolicyOnCluster {
  policy: string;
  entry: PolicyClusterEntry;
}

const stateTones: Record<string, Tone> = { InSync: "ok", Pending: "info", Drifted: "warn", Conflicted: "warn", Failed: "bad" };

/**
 * The project's ClusterPolicies that select this cluster and how each
 * stands on it. There is no per-cluster route: each policy's page of
 * clusters is read (a project has few policies) and this cluster's entry kept.
 */
function usePoliciesOn(project: string, name: string): ReturnType<typeof useQuery<PolicyOnCluster[]>> {
  const api = useApi();
  return useQuery({
    queryKey: clusterKeys.policies(project, name),
    queryFn: async () => {
      const policies = (await api.get<List<{ metadata: ObjectMeta }>>(`${projectPath(project)}/policies`)).items;
      const found = await Promise.all(policies.map(async (p) => {
        const page = await api.get<{ items: PolicyClusterEntry[] }>(`${projectPath(project)}/policies/${encodeURIComponent(p.metadata.name)}/clusters`);
        const entry = page.items.find((e) => e.cluster === name);
        return entry === undefined ? [] : [{ policy: p.metadata.name, entry }];
      }));
      return found.flat();
    },
    refetchInterval: 30_000,
  });
}

/** The policies that keep namespaces, RBAC and manifests on this cluster, and their state here. */
export function PoliciesSection(props: { project: string; name: string }): ReactNode {
  const policies = usePoliciesOn(props.project, props.name);
  const rows = policies.data ?? [];
  return (
    <Section title="Policies">
      {policies.isPending ? <Progress label="Loading policies…" /> : null}
      <ErrorMessage error={policies.error} title="The policies could not be loaded." />
      {policies.isSuccess && rows.length === 0 ? <p className="muted">No policy of project {props.project} selects this cluster.</p> : null}
      {rows.length > 0 ? (
        <DataTable columns={["Policy", "State", "Objects", "Problems"]}>
          {rows.map(({ policy, entry }) => (
            <tr key={policy}>
              <th scope="row">{policy}</th>
              <td><Badge tone={stateTones[entry.state] ?? "neutral"}>{entry.state}</Badge>{entry.selected ? null : <span className="muted"> (no longer selected)</span>}</td>
              <td>{entry.objects}</td>
              <td className="message-cell">
                {entry.problemCount === 0 ? (entry.message ?? "none") : entry.problems.map((p) => `${p.kind} ${p.name}: ${p.reason} — ${p.message}`).join("; ")}
                {entry.problemCount > entry.problems.length ? ` (and ${entry.problemCount - entry.problems.length} more)` : ""}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </Section>
  );
}
