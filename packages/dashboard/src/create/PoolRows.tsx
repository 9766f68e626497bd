import type { ReactNode } from "react";
import { Field } from "../ui/Field.tsx";
import { poolField, type FormErrors, type PoolRow } from "./cluster-form.ts";

/** The input id of a pool row's part, so a failed submit can move focus to it. */
export function poolInputId(key: number, part: "name" | "replicas"): string {
  return `create-pool-${key}-${part}`;
}

/** The wizard's node pool rows: "Pool name" and "Replicas" per row, "Add node pool" below. */
export function PoolRows(props: {
  pools: readonly PoolRow[];
  errors: FormErrors;
  onChange: (key: number, change: Partial<PoolRow>) => void;
  onAdd: () => void;
  onRemove: (key: number) => void;
}): ReactNode {
  const { pools, errors } = props;
  return (
    <fieldset className="form-group">
      <legend>Node pools</legend>
      <p className="muted">Each pool is a group of identical worker machines, created after the cluster. You can add pools later too.</p>
      {pools.length === 0 ? <p>No node pools: the cluster starts with a control plane only.</p> : null}
      {pools.map((pool, index) => (
        <div className="pool-row" key={pool.key} role="group" aria-label={`Node pool ${index + 1}`}>
          <Field label="Pool name" id={poolInputId(pool.key, "name")} error={errors[poolField(pool.key, "name")]}>
            <input type="text" autoComplete="off" spellCheck={false} maxLength={63} value={pool.name} onChange={(e) => props.onChange(pool.key, { name: e.target.value.trim(), named: true })} />
          </Field>
          <Field label="Replicas" id={poolInputId(pool.key, "replicas")} error={errors[poolField(pool.key, "replicas")]}>
            <input type="number" min={0} max={1000} step={1} inputMode="numeric" value={pool.replicas} onChange={(e) => props.onChange(pool.key, { replicas: e.target.value })} />
          </Field>
          <button type="button" className="button button-link" onClick={() => props.onRemove(pool.key)}>Remove {pool.name === "" ? `pool ${index + 1}` : pool.name}</button>
        </div>
      ))}
      <button type="button" className="button" onClick={props.onAdd}>Add node pool</button>
    </fieldset>
  );
}
