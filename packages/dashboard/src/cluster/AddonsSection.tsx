import { useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useApi } from "../api/client.ts";
import { queryKeys } from "../api/keys.ts";
import { builtInAddons } from "../create/cluster-form.ts";
import { Badge, phaseTone } from "../ui/Badge.tsx";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { Progress } from "../ui/Progress.tsx";
import { clusterPath, useAddons, type AddonView } from "./queries.ts";
import { Section } from "./Section.tsx";
import { useAction } from "./useAction.ts";
import { DataTable } from "../ui/DataTable.tsx";

/** Whether an add-on is switched on (asked for, or installed without a switch of the cluster's own). */
function isOn(addon: AddonView): boolean {
  return addon.phase !== "Disabled" && addon.phase !== "Removed" && addon.phase !== "Removing";
}

/** The cluster's add-ons (name, version, Ready, message) with enable and disable per routes/addons.ts. */
export function AddonsSection(props: { project: string; name: string; editable: boolean }): ReactNode {
  const api = useApi();
  const queryClient = useQueryClient();
  const addons = useAddons(props.project, props.name, 10_000);
  const change = useAction();
  const listed = addons.data ?? [];
  const missing = builtInAddons.filter((b) => !listed.some((a) => a.name === b));
  const base = `${clusterPath(props.project, props.name)}/addons`;

  const toggle = (name: string, on: boolean): Promise<void> => change.run(async () => {
    await api.send(on ? "PUT" : "DELETE", `${base}/${encodeURIComponent(name)}`, on ? {} : undefined);
    await queryClient.invalidateQueries({ queryKey: queryKeys.cluster(props.project, props.name) });
  });

  return (
    <Section title="Add-ons">
      {addons.isPending ? <Progress label="Loading add-ons…" /> : null}
      <ErrorMessage error={addons.error} title="The add-ons could not be loaded." />
      <ErrorMessage error={change.error} title="The add-on was not changed." />
      {addons.isSuccess && listed.length === 0 ? <p className="muted">No add-ons.</p> : null}
      {listed.length > 0 ? (
        <DataTable columns={["Add-on", "Version", "Ready", "Phase", "Message", props.editable && "Change"]}>
          {listed.map((a) => (
            <tr key={a.name}>
              <th scope="row">{a.name}{a.source === "Helm" ? <span className="muted"> (Helm)</span> : null}</th>
              <td>{a.status?.version ?? a.spec?.helm?.version ?? "—"}</td>
              <td>{a.ready ? <Badge tone="ok">Ready</Badge> : <Badge tone={isOn(a) ? "warn" : "neutral"}>Not ready</Badge>}</td>
              <td><Badge tone={a.phase === "Pending" ? "info" : phaseTone(a.phase)}>{a.phase}</Badge></td>
              <td className="message-cell">{a.status?.message ?? ""}</td>
              {props.editable ? (
                <td>
                  {isOn(a)
                    ? <button type="button" className="button button-small" disabled={change.busy} onClick={() => void toggle(a.name, false)}>{a.source === "Helm" ? "Remove" : "Disable"} {a.name}</button>
                    : a.source === "BuiltIn" ? <button type="button" className="button button-small" disabled={change.busy} onClick={() => void toggle(a.name, true)}>Enable {a.name}</button> : null}
                </td>
              ) : null}
            </tr>
          ))}
        </DataTable>
      ) : null}
      {props.editable && addons.isSuccess && missing.length > 0 ? (
        <p>
          {missing.map((name) => <button key={name} type="button" className="button button-small" disabled={change.busy} onClick={() => void toggle(name, true)}>Enable {name}</button>)}
        </p>
      ) : null}
      {change.busy ? <Progress label="Changing the add-ons…" /> : null}
    </Section>
  );
}
