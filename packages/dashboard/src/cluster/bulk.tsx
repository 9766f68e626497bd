import { useQueryClient } from "@tanstack/react-query";
import { useId, useState, type SyntheticEvent, type ReactNode } from "react";
import { describeError, useApi } from "../api/client.ts";
import { queryKeys } from "../api/keys.ts";
import { useDashboardConfig } from "../auth/context.ts";
import { Dialog } from "../ui/Dialog.tsx";
import { Progress } from "../ui/Progress.tsx";
import { bulkSummary, confirmsDelete, deletePhrase, runEach, type BulkResult } from "./bulk-run.ts";
import { clusterPath } from "./queries.ts";

/** What the bulk dialogs act on. */
export interface BulkProps {
  clusters: { project: string; name: string }[];
  onClose: () => void;
}

type Target = BulkProps["clusters"][number];

/** Requests sent at once: enough to be quick, few enough not to flood the API server. */
const concurrency = 4;

/** Runs a bulk action, keeping each cluster's result as it lands, and refreshes the lists afterwards. */
function useBulkRun(clusters: readonly Target[]): { results: (BulkResult<Target> | undefined)[]; running: boolean; finished: boolean; run: (action: (target: Target) => Promise<unknown>) => Promise<void> } {
  const queryClient = useQueryClient();
  const [results, setResults] = useState<(BulkResult<Target> | undefined)[]>(() => clusters.map(() => undefined));
  const [running, setRunning] = useState(false);
  const [finished, setFinished] = useState(false);
  return {
    results,
    running,
    finished,
    run: async (action) => {
      setRunning(true);
      await runEach(clusters, action, {
        concurrency,
        describe: describeError,
        onResult: (result, index) => setResults((previous) => previous.map((r, i) => (i === index ? result : r))),
      });
      setRunning(false);
      setFinished(true);
      for (const project of new Set(clusters.map((c) => c.project))) await queryClient.invalidateQueries({ queryKey: queryKeys.clusters(project) });
    },
  };
}

/** The clusters of a bulk action, each with its outcome in words once known. */
function ResultList(props: { clusters: readonly Target[]; results: readonly (BulkResult<Target> | undefined)[]; running: boolean; doneWords: string }): ReactNode {
  return (
    <ul className="bulk-results" aria-live="polite">
      {props.clusters.map((c, i) => {
        const result = props.results[i];
        const label = `${c.project}/${c.name}`;
        if (result === undefined) return <li key={label}>{label}{props.running ? <Progress inline label="working…" /> : null}</li>;
        return result.ok
          ? <li key={label} className="result-ok">{label}: {props.doneWords}</li>
          : <li key={label} className="result-failed">{label}: failed — {result.message}</li>;
      })}
    </ul>
  );
}

const plural = (count: number): string => `${count} cluster${count === 1 ? "" : "s"}`;

/** Upgrades the selected clusters to one version: POST …/upgrade for each, with each result in words. */
export function BulkUpgradeDialog(props: BulkProps): ReactNode {
  const api = useApi();
  const { versions } = useDashboardConfig();
  const selectId = useId();
  const [version, setVersion] = useState(versions[0] ?? "");
  const bulk = useBulkRun(props.clusters);

  function submit(event: SyntheticEvent): void {
    event.preventDefault();
    if (bulk.running || bulk.finished || version === "") return;
    void bulk.run((c) => api.send("POST", `${clusterPath(c.project, c.name)}/upgrade`, { version }));
  }

  return (
    <Dialog title={`Upgrade ${plural(props.clusters.length)}`} onClose={props.onClose}>
      <form onSubmit={submit}>
        <div className="dialog-body">
          <p>Each cluster goes to the version chosen, one minor at a time: a cluster more than one minor behind, or already newer, is refused and says why.</p>
          <div className="field">
            <label htmlFor={selectId}>Target version</label>
            <select id={selectId} value={version} disabled={bulk.running || bulk.finished} onChange={(e) => setVersion(e.target.value)}>
              {versions.map((v) => <option key={v} value={v}>{v}</option>)}
            </select>
          </div>
          <ResultList clusters={props.clusters} results={bulk.results} running={bulk.running} doneWords={`upgrading to ${version}`} />
          {bulk.finished ? <p role="status">{bulkSummary(bulk.results, "upgrading")}</p> : null}
        </div>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={props.onClose}>{bulk.finished ? "Close" : "Cancel"}</button>
          {bulk.finished ? null : <button type="submit" className="button button-primary" disabled={bulk.running || version === ""}>Upgrade</button>}
        </div>
      </form>
    </Dialog>
  );
}

/** Deletes the selected clusters after a typed confirmation ("delete N clusters", or N): DELETE each, with each result in words. */
export function BulkDeleteDialog(props: BulkProps): ReactNode {
  const api = useApi();
  const inputId = useId();
  const [typed, setTyped] = useState("");
  const bulk = useBulkRun(props.clusters);
  const count = props.clusters.length;
  const confirmed = confirmsDelete(typed, count);

  function submit(event: SyntheticEvent): void {
    event.preventDefault();
    if (!confirmed || bulk.running || bulk.finished) return;
    void bulk.run((c) => api.send("DELETE", clusterPath(c.project, c.name)));
  }

  return (
    <Dialog title={`Delete ${plural(count)}`} onClose={props.onClose}>
      <form onSubmit={submit}>
        <div className="dialog-body">
          <p>Their control planes, etcd data and node pools are deleted. This cannot be undone.</p>
          <ResultList clusters={props.clusters} results={bulk.results} running={bulk.running} doneWords="being deleted" />
          {bulk.finished ? <p role="status">{bulkSummary(bulk.results, "being deleted")}</p> : (
            <div className="field">
              <label htmlFor={inputId}>Type {deletePhrase(count)} to confirm</label>
              <input id={inputId} type="text" autoComplete="off" spellCheck={false} value={typed} disabled={bulk.running} onChange={(e) => setTyped(e.target.value)} />
            </div>
          )}
        </div>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={props.onClose}>{bulk.finished ? "Close" : "Cancel"}</button>
          {bulk.finished ? null : <button type="submit" className="button button-danger" disabled={!confirmed || bulk.running}>Delete</button>}
        </div>
      </form>
    </Dialog>
  );
}
