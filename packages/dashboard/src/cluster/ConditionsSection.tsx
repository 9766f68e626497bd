import type { ReactNode } from "react";
import type { Condition } from "../api/types.ts";
import { Badge, type Tone } from "../ui/Badge.tsx";
import { formatDateTime, relativeTime } from "../ui/format.ts";
import { Section } from "./Section.tsx";

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
        <div className="table-wrap">
          <table className="data-table">
            <thead>
              <tr><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Message</th><th scope="col">Since</th></tr>
            </thead>
            <tbody>
              {props.conditions.map((c) => (
                <tr key={c.type}>
                  <th scope="row">{c.type}</th>
                  <td><Badge tone={statusTone(c)}>{c.status}</Badge></td>
                  <td>{c.reason ?? "—"}</td>
                  <td className="message-cell">{c.message ?? ""}</td>
                  <td>{c.lastTransitionTime === undefined ? "—" : <time dateTime={c.lastTransitionTime} title={formatDateTime(c.lastTransitionTime)}>{relativeTime(c.lastTransitionTime, props.now)}</time>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
