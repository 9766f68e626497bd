import type { ReactNode } from "react";
import { builtInAddons, defaultAddons } from "./cluster-form.ts";

const descriptions: Record<string, string> = {
  coredns: "cluster DNS (the platform installs it unless you untick it)",
  "metrics-server": "resource metrics for kubectl top and autoscaling",
  dashboard: "the Kubernetes dashboard inside the cluster",
};

/** The built-in add-ons as checkboxes; an API error about spec.addons shows under them. */
export function AddonChoices(props: { addons: Record<string, boolean>; error?: string | undefined; onChange: (addons: Record<string, boolean>) => void }): ReactNode {
  const errorId = "create-addons-error";
  const invalid = props.error !== undefined && props.error !== "";
  return (
    <fieldset className={`form-group${invalid ? " field-invalid" : ""}`} {...(invalid ? { "aria-describedby": errorId } : {})}>
      <legend>Add-ons</legend>
      {builtInAddons.map((name) => {
        const checked = props.addons[name] ?? defaultAddons.includes(name);
        return (
          <div className="checkbox-field" key={name}>
            <input
              type="checkbox"
              id={`create-addon-${name}`}
              checked={checked}
              onChange={(e) => props.onChange({ ...props.addons, [name]: e.target.checked })}
              {...(invalid ? { "aria-invalid": true, "aria-describedby": errorId } : {})}
            />
            <label htmlFor={`create-addon-${name}`}>{name}</label>
            <span className="muted"> — {descriptions[name]}</span>
          </div>
        );
      })}
      {invalid ? <div className="field-error" id={errorId}>{props.error}</div> : null}
    </fieldset>
  );
}
