import type { ReactNode } from "react";
import { Badge } from "../ui/Badge.tsx";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { Progress } from "../ui/Progress.tsx";
import { eventRows } from "./events.ts";
import { useClusterEvents } from "./queries.ts";
import { Section } from "./Section.tsx";
import { DataTable } from "../ui/DataTable.tsx";
import { When } from "../ui/When.tsx";

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
        <DataTable columns={["When", "Type", "Reason", "Object", "Message"]}>
          {rows.map((e) => (
            <tr key={e.key}>
              <td><When iso={e.time} now={props.now} /></td>
              <td>{e.type === "Warning" ? <Badge tone="warn">Warning</Badge> : e.type}</td>
              <td>{e.reason}{e.count > 1 ? ` (×${e.count})` : ""}</td>
              <td>{e.object}</td>
              <td className="message-cell">{e.message}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </Section>
  );
}
