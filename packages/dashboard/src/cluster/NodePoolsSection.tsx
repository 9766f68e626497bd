import { useQueryClient } from "@tanstack/react-query";
import { useId, useState, type SyntheticEvent, type ReactNode } from "react";
import { ApiError, describeError, useApi } from "../api/client.ts";
import { queryKeys } from "../api/keys.ts";
import type { NodePool } from "../api/types.ts";
import { PhaseBadge } from "../ui/Badge.tsx";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { Field } from "../ui/Field.tsx";
import { Progress } from "../ui/Progress.tsx";
import { maxNameLength, nameProblem, poolBody, poolPartOf, replicasProblem } from "../create/cluster-form.ts";
import { ActionDialog } from "./ActionDialog.tsx";
import { projectPath } from "./queries.ts";
import { Section } from "./Section.tsx";
import { useAction } from "./useAction.ts";
import { DataTable } from "../ui/DataTable.tsx";

/** Puts a pool the API answered into the cached list, so the page shows it before the watch or the next poll. */
function usePoolCache(project: string): (pool: NodePool) => void {
  const queryClient = useQueryClient();
  return (pool) => {
    queryClient.setQueryData<NodePool[]>(queryKeys.nodePools(project), (list) => {
      if (list === undefined) return list;
      const others = list.filter((p) => p.metadata.name !== pool.metadata.name);
      return [...others, pool].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    });
    void queryClient.invalidateQueries({ queryKey: queryKeys.nodePools(project) });
  };
}

/** "2 of 3 ready (autoscaled 1–5)". */
function machinesText(pool: NodePool): string {
  const auto = pool.spec.autoscaling;
  return `${pool.status?.readyReplicas ?? 0} of ${pool.spec.replicas} ready${auto === undefined ? "" : ` (autoscaled ${auto.minReplicas}–${auto.maxReplicas})`}`;
}

/** One pool: its numbers, and for editors a replica spinbutton with "Scale" and "Delete". */
function PoolRow(props: { project: string; pool: NodePool; editable: boolean; onDelete: () => void }): ReactNode {
  const { pool, project } = props;
  const name = pool.metadata.name;
  const api = useApi();
  const cache = usePoolCache(project);
  const scale = useAction();
  const [draft, setDraft] = useState<string | undefined>(undefined);
  const errorId = useId();
  const value = draft ?? String(pool.spec.replicas);
  const problem = draft === undefined ? undefined : replicasProblem(draft);
  const shownError = problem ?? (scale.error === undefined ? undefined : describeError(scale.error));
  const auto = pool.spec.autoscaling;

  async function submitScale(): Promise<void> {
    if (problem !== undefined) return;
    await scale.run(async () => {
      cache(await api.send<NodePool>("PATCH", `${projectPath(project)}/nodepools/${encodeURIComponent(name)}`, { spec: { replicas: Number(value) } }));
      setDraft(undefined);
    });
  }

  return (
    <tr>
      <th scope="row">{name}</th>
      <td><PhaseBadge phase={pool.status?.phase} /></td>
      <td>{machinesText(pool)}</td>
      <td>{pool.status?.version ?? pool.spec.version ?? "—"}</td>
      {props.editable ? (
        <td className="actions-cell">
          <input
            type="number"
            className="replicas-input"
            aria-label={`Replicas of ${name}`}
            min={auto?.minReplicas ?? 0}
            max={auto?.maxReplicas ?? 1000}
            step={1}
            value={value}
            onChange={(e) => { setDraft(e.target.value); scale.clear(); }}
            onKeyDown={(e) => { if (e.key === "Enter") { e.preventDefault(); void submitScale(); } }}
            {...(shownError === undefined ? {} : { "aria-invalid": true, "aria-describedby": errorId })}
          />
          <button type="button" className="button button-small" disabled={scale.busy || draft === undefined} onClick={() => void submitScale()}>Scale {name}</button>
          <button type="button" className="button button-small button-danger" onClick={props.onDelete}>Delete {name}</button>
          {scale.busy ? <Progress inline label="Scaling…" /> : null}
          {shownError === undefined ? null : <div className="field-error" id={errorId} role="alert">{shownError}</div>}
        </td>
      ) : null}
    </tr>
  );
}

/** The form that adds a pool to the cluster. */
function AddPoolForm(props: { project: string; cluster: string }): ReactNode {
  const api = useApi();
  const cache = usePoolCache(props.project);
  const add = useAction();
  const [name, setName] = useState("");
  const [replicas, setReplicas] = useState("1");
  const [errors, setErrors] = useState<{ name?: string; replicas?: string }>({});

  async function submit(event: SyntheticEvent): Promise<void> {
    event.preventDefault();
    const found = { name: nameProblem(name, maxNameLength.nodePool), replicas: replicasProblem(replicas) };
    setErrors(found);
    if (found.name !== undefined || found.replicas !== undefined) return;
    let failure: unknown;
    await add.run(async () => {
      try {
        cache(await api.send<NodePool>("POST", `${projectPath(props.project)}/nodepools`, poolBody(props.cluster, { name, replicas })));
        setName("");
        setReplicas("1");
      } catch (error) {
        failure = error;
        throw error;
      }
    });
    const part = failure instanceof ApiError ? poolPartOf(failure.field) : undefined;
    if (part !== undefined && failure instanceof ApiError) setErrors({ [part]: failure.message });
  }

  const placed = add.error instanceof ApiError && poolPartOf(add.error.field) !== undefined;
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} noValidate aria-label="Add a node pool">
      <Field label="Pool name" error={errors.name}>
        <input type="text" autoComplete="off" spellCheck={false} value={name} onChange={(e) => setName(e.target.value.trim())} />
      </Field>
      <Field label="Replicas" error={errors.replicas}>
        <input type="number" min={0} max={1000} step={1} value={replicas} onChange={(e) => setReplicas(e.target.value)} />
      </Field>
      <button type="submit" className="button" disabled={add.busy}>Add node pool</button>
      {add.busy ? <Progress inline label="Adding…" /> : null}
      {placed ? null : <ErrorMessage error={add.error} title="The node pool was not added." />}
    </form>
  );
}

/** The cluster's node pools (NodePools naming it in spec.clusterName): scale, delete, add. */
export function NodePoolsSection(props: { project: string; cluster: string; pools: readonly NodePool[] | undefined; error: unknown; editable: boolean }): ReactNode {
  const api = useApi();
  const queryClient = useQueryClient();
  const [deleting, setDeleting] = useState<string | undefined>(undefined);
  const pools = (props.pools ?? []).filter((p) => p.spec.clusterName === props.cluster);
  return (
    <Section title="Node pools">
      {props.pools === undefined && props.error === undefined ? <Progress label="Loading node pools…" /> : null}
      <ErrorMessage error={props.error} title="The node pools could not be loaded." />
      {props.pools !== undefined && pools.length === 0 ? <p className="muted">No node pools: the cluster has no worker machines.</p> : null}
      {pools.length > 0 ? (
        <DataTable columns={["Pool", "Phase", "Machines", "Version", props.editable && "Change"]}>
          {pools.map((pool) => <PoolRow key={pool.metadata.name} project={props.project} pool={pool} editable={props.editable} onDelete={() => setDeleting(pool.metadata.name)} />)}
        </DataTable>
      ) : null}
      {props.editable ? <AddPoolForm project={props.project} cluster={props.cluster} /> : null}
      {deleting === undefined ? null : (
        <ActionDialog
          title={`Delete node pool ${deleting}`}
          confirmLabel="Delete"
          danger
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api.send("DELETE", `${projectPath(props.project)}/nodepools/${encodeURIComponent(deleting)}`);
            await queryClient.invalidateQueries({ queryKey: queryKeys.nodePools(props.project) });
          }}
        >
          <p>Its machines are drained and removed from cluster {props.cluster}. This cannot be undone.</p>
        </ActionDialog>
      )}
    </Section>
  );
}
