import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from "react";

/** What a Field hands its input so the label, hint and error are tied to it. */
export interface FieldControlProps {
  id: string;
  "aria-invalid"?: true;
  "aria-describedby"?: string;
}

/**
 * A labelled form control with an optional hint and error text. The input
 * gets aria-invalid and aria-describedby pointing at the error (an API
 * field error shows beside its field). Pass the input as the child (it is
 * given id and aria props) or as a function of those props.
 */
export function Field(props: {
  label: ReactNode;
  error?: string | undefined;
  hint?: ReactNode;
  id?: string;
  className?: string;
  children: ReactElement<FieldControlProps> | ((control: FieldControlProps) => ReactNode);
}): ReactNode {
  const generated = useId();
  const id = props.id ?? `field-${generated}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const hasError = props.error !== undefined && props.error !== "";
  const describedBy = [hasError ? errorId : undefined, props.hint === undefined ? undefined : hintId].filter((x) => x !== undefined).join(" ");
  const control: FieldControlProps = {
    id,
    ...(hasError ? { "aria-invalid": true as const } : {}),
    ...(describedBy === "" ? {} : { "aria-describedby": describedBy }),
  };
  const input = typeof props.children === "function" ? props.children(control) : isValidElement(props.children) ? cloneElement(props.children, control) : props.children;
  return (
    <div className={`field${hasError ? " field-invalid" : ""}${props.className === undefined ? "" : ` ${props.className}`}`}>
      <label htmlFor={id}>{props.label}</label>
      {input}
      {props.hint === undefined ? null : <div className="field-hint" id={hintId}>{props.hint}</div>}
      {hasError ? <div className="field-error" id={errorId}>{props.error}</div> : null}
    </div>
  );
}
