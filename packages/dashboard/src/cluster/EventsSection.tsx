import type { ReactNode } from "react";
import { Badge } from "../ui/Badge.tsx";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { formatDateTime, relativeTime } from "../ui/format.ts";
import { Progress } from "../ui/Progress.tsx";
import { eventRows } from "./events.ts";
import { useClusterEvents } from "./queries.ts";
import { Section } from "./Section.tsx";

/** How many events the page shows. */
const shownEvents = 50;

/** Events about the cluster and its node pools, newest first, refreshed while the page is open. */
export function EventsSection(props: { project: string; name: string; busy: boolean; now: number }): ReactNode {
  const events = useClusterEvents(props.project, props.name, props.busy ? 5_000 : 15_000);
  const rows = eventRows(events.data ?? [], shownEvents);
  return (
    <Section title="Events">
      {events.isPending ? <Progress label="Loading events…" /> : null}
      <ErrorMessage error={events.error} title="The events could not be loaded." />
      {events.isSuccess && rows.length === 0 ? <p className="muted">No events.</p> : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table className="data-table">
            <thead>
              <tr><th scope="col">When</th><th scope="col">Type</th><th scope="col">Reason</th><th scope="col">Object</th><th scope="col">Message</th></tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.key}>
                  <td>{e.time === "" ? "—" : <time dateTime={e.time} title={formatDateTime(e.time)}>{relativeTime(e.time, props.now)}</time>}</td>
                  <td>{e.type === "Warning" ? <Badge tone="warn">Warning</Badge> : e.type}</td>
                  <td>{e.reason}{e.count > 1 ? ` (×${e.count})` : ""}</td>
                  <td>{e.object}</td>
                  <td className="message-cell">{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Section>
  );
}
