import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ApiError, describeError, useApi, type Api } from "../api/client.ts";
import { queryKeys } from "../api/keys.ts";
import type { Cluster, NodePool } from "../api/types.ts";
import { applyChange, parseWatchData, watchErrorMessage, type ChangeType } from "./cache-update.ts";
import { backoffDelayMs, SSEParser, type ServerSentEvent } from "./sse.ts";

/** How a project's live updates stand. */
export type WatchState =
  | { status: "connecting" }
  | { status: "live" }
  | { status: "retrying"; message: string; retryInMs: number }
  | { status: "stopped"; message: string };

/**
 * Keeps the cached clusters and node pools of each project live through
 * one SSE stream per project (GET /projects/:p/watch, read with fetch:
 * EventSource cannot send the bearer). A dropped stream reconnects with
 * backoff and refetches the lists (deletions may have been missed); an
 * `event: ERROR` or a refused request (403/404) stops it and says why.
 */
export function useProjectWatches(projects: readonly string[]): Map<string, WatchState> {
  const api = useApi();
  const queryClient = useQueryClient();
  const [states, setStates] = useState<Map<string, WatchState>>(() => new Map());
  const key = [...projects].sort().join("\n");

  useEffect(() => {
    const names = key === "" ? [] : key.split("\n");
    const controller = new AbortController();
    const update = (project: string, state: WatchState): void => {
      if (!controller.signal.aborted) setStates((previous) => new Map(previous).set(project, state));
    };
    for (const project of names) void watchProject({ api, queryClient, project, signal: controller.signal, update });
    return () => controller.abort();
  }, [api, queryClient, key]);

  return states;
}

/** Keeps one project's stream open until the signal aborts or the server stops it. */
async function watchProject(options: { api: Api; queryClient: QueryClient; project: string; signal: AbortSignal; update: (project: string, state: WatchState) => void }): Promise<void> {
  const { api, queryClient, project, signal, update } = options;
  for (let attempt = 0; !signal.aborted; attempt++) {
    update(project, { status: "connecting" });
    try {
      const response = await api.stream(`/projects/${encodeURIComponent(project)}/watch`, signal);
      if (attempt > 0) await refetch(queryClient, project);
      update(project, { status: "live" });
      const stopped = await readEvents(response, signal, (event) => apply(queryClient, project, event));
      if (stopped !== undefined) {
        update(project, { status: "stopped", message: stopped });
        return;
      }
      attempt = -1; // the stream worked: start the backoff over
    } catch (error) {
      if (isAborted(signal)) return;
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
        update(project, { status: "stopped", message: error.message });
        return;
      }
      const retryInMs = backoffDelayMs(attempt);
      update(project, { status: "retrying", message: describeError(error), retryInMs });
      await sleep(retryInMs, signal);
    }
  }
}

/** Reads the stream, handing each event on; returns the message of an ERROR event, or undefined when the stream ends. */
async function readEvents(response: Response, signal: AbortSignal, onEvent: (event: ServerSentEvent) => void): Promise<string | undefined> {
  if (response.body === null) return undefined;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SSEParser();
  const abort = (): void => void reader.cancel().catch(() => undefined);
  signal.addEventListener("abort", abort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return undefined;
      for (const event of parser.push(value)) {
        if (event.event === "ERROR") return watchErrorMessage(event.data);
        onEvent(event);
      }
    }
  } finally {
    signal.removeEventListener("abort", abort);
  }
}

/** Writes one ADDED/MODIFIED/DELETED event into the cached lists (and the cluster's own entry). */
function apply(queryClient: QueryClient, project: string, event: ServerSentEvent): void {
  if (event.event !== "ADDED" && event.event !== "MODIFIED" && event.event !== "DELETED") return;
  const type: ChangeType = event.event;
  const data = parseWatchData(event.data);
  if (data === undefined) return;
  if (data.kind === "Cluster") {
    const object = data.object as Cluster | undefined;
    queryClient.setQueryData<Cluster[]>(queryKeys.clusters(project), (list) => applyChange(list, type, data.name, object));
    if (type === "DELETED") void queryClient.invalidateQueries({ queryKey: queryKeys.cluster(project, data.name), exact: true });
    else if (object !== undefined && queryClient.getQueryData(queryKeys.cluster(project, data.name)) !== undefined) {
      queryClient.setQueryData(queryKeys.cluster(project, data.name), object);
    }
  } else if (data.kind === "NodePool") {
    queryClient.setQueryData<NodePool[]>(queryKeys.nodePools(project), (list) => applyChange(list, type, data.name, data.object as NodePool | undefined));
  }
}

/** After a reconnect: deletions during the gap never arrive as events, so the lists are fetched again. */
async function refetch(queryClient: QueryClient, project: string): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: queryKeys.clusters(project) }),
    queryClient.invalidateQueries({ queryKey: queryKeys.nodePools(project) }),
  ]);
}

/** Read through a call: TypeScript narrows signal.aborted to false after the loop test, but an await may change it. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
