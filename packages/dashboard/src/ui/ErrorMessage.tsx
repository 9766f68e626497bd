import type { ReactNode } from "react";
import { describeError } from "../api/errors.ts";

/** An error in words (an ApiError's message), announced to screen readers; nothing when there is no error. */
export function ErrorMessage(props: { error: unknown; title?: string; id?: string }): ReactNode {
  if (props.error === undefined || props.error === null) return null;
  return (
    <div className="error-message" role="alert" {...(props.id === undefined ? {} : { id: props.id })}>
      {props.title === undefined ? null : <strong>{props.title} </strong>}
      {describeError(props.error)}
    </div>
  );
}
