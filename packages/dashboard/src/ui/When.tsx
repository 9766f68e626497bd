import type { ReactNode } from "react";
import { formatDateTime, relativeTime } from "./format.ts";

/** A moment as "3 minutes ago", the exact time on hover; "—" when there is none. */
export function When(props: { iso: string | undefined; now: number }): ReactNode {
  if (props.iso === undefined || props.iso === "") return <>—</>;
  return <time dateTime={props.iso} title={formatDateTime(props.iso)}>{relativeTime(props.iso, props.now)}</time>;
}
