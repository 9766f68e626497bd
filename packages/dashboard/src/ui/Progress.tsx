import type { ReactNode } from "react";

/** Something under way: a spinner and a sentence, announced politely. */
export function Progress(props: { label?: string; inline?: boolean }): ReactNode {
  const Tag = props.inline === true ? "span" : "div";
  return (
    <Tag className="progress" role="status">
      <span className="spinner" aria-hidden="true" />
      {props.label ?? "Loading…"}
    </Tag>
  );
}
