import { useState, type ReactNode } from "react";
import { Field } from "../ui/Field.tsx";
import { healths } from "./health.ts";
import { parseSelector } from "./label-selector.ts";

/** The filters as the URL keeps them (?project=&labels=&version=&health=). */
export interface FilterValues {
  project: string;
  labels: string;
  version: string;
  health: string;
}

/** The fleet's filters: Project, Labels (a label selector), Version, Health. */
export function FleetFilters(props: { values: FilterValues; projects: readonly string[]; versions: readonly string[]; onChange: (values: FilterValues) => void }): ReactNode {
  const { values, onChange } = props;
  const [labels, setLabels] = useState(values.labels);
  const parsed = parseSelector(labels);

  function changeLabels(text: string): void {
    setLabels(text);
    // Only a selector that parses reaches the URL and the table; a broken one shows its error beside the field.
    if (parseSelector(text).ok) onChange({ ...values, labels: text });
  }

  return (
    <form className="filters" role="search" aria-label="Filter clusters" onSubmit={(e) => e.preventDefault()}>
      <Field label="Project">
        <select value={values.project} onChange={(e) => onChange({ ...values, project: e.target.value })}>
          <option value="">All projects</option>
          {props.projects.map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
      </Field>
      <Field label="Labels" hint="For example env=prod,tier in (web,api)" error={parsed.ok ? undefined : parsed.error}>
        <input type="text" value={labels} spellCheck={false} autoComplete="off" placeholder="env=prod" onChange={(e) => changeLabels(e.target.value)} />
      </Field>
      <Field label="Version">
        <select value={values.version} onChange={(e) => onChange({ ...values, version: e.target.value })}>
          <option value="">All versions</option>
          {props.versions.map((v) => <option key={v} value={v}>{v}</option>)}
          {values.version !== "" && !props.versions.includes(values.version) ? <option value={values.version}>{values.version}</option> : null}
        </select>
      </Field>
      <Field label="Health">
        <select value={values.health} onChange={(e) => onChange({ ...values, health: e.target.value })}>
          <option value="">Any health</option>
          {healths.map((h) => <option key={h} value={h}>{h}</option>)}
        </select>
      </Field>
    </form>
  );
}
