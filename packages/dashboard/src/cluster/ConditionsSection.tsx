import type { ReactNode } from "react";
import type { Condition } from "../api/types.ts";
import { Badge, type Tone } from "../ui/Badge.tsx";
import { Section } from "./Section.tsx";
import { DataTable } from "../ui/DataTable.tsx";
import { When } from "../ui/When.tsx";

/** The tone of a condition's status: True is good for every condition the platform writes except a few "problem" ones. */
function statusTone(condition: Condition): Tone {
  if (condition.status === "Unknown") return "neutral";
  return condition.status === "True" ? "ok" : "warn";
}

/** The cluster's conditions: type, status, reason, message and since when. */
export function ConditionsSection(props: { conditions: readonly Condition[]; now: number }): ReactNode {
  return (
    <Section title="Conditions">
      {props.conditions.length === 0 ? <p className="muted">No conditions reported yet.</p> : (
        <DataTable columns={["Type", "Status", "Reason", "Message", "Since"]}>
          {props.conditions.map((c) => (
            <tr key={c.type}>
              <th scope="row">{c.type}</th>
              <td><Badge tone={statusTone(c)}>{c.status}</Badge></td>
              <td>{c.reason ?? "—"}</td>
              <td className="message-cell">{c.message ?? ""}</td>
              <td><When iso={c.lastTransitionTime} now={props.now} /></td>
            </tr>
          ))}
        </DataTable>
      )}
    </Section>
  );
}
