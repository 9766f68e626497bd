// Cluster events for people: pure, tested in events.test.ts.
import type { ClusterEvent } from "../api/types.ts";

/** One row of the Events table. */
export interface EventRow {
  key: string;
  time: string;
  type: string;
  reason: string;
  object: string;
  message: string;
  count: number;
}

/** When an event last happened (the fields differ between core/v1 and events.k8s.io Events). */
export function eventTime(event: ClusterEvent): string {
  return event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata.creationTimestamp ?? "";
}

/** The newest `limit` events, newest first. */
export function eventRows(events: readonly ClusterEvent[], limit: number): EventRow[] {
  return [...events]
    .sort((a, b) => eventTime(b).localeCompare(eventTime(a)))
    .slice(0, limit)
    .map((e, i) => {
      const about = e.involvedObject ?? e.regarding;
      return {
        key: e.metadata.uid ?? `${e.metadata.name}-${i}`,
        time: eventTime(e),
        type: e.type ?? "Normal",
        reason: e.reason ?? "",
        object: about?.kind === undefined ? (about?.name ?? "") : `${about.kind}/${about.name ?? ""}`,
        message: e.message ?? e.note ?? "",
        count: e.count ?? 1,
      };
    });
}
