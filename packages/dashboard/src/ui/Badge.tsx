import type { ReactNode } from "react";

/** A badge's traffic-light tone; the text always says the state too, colour is never alone. */
export type Tone = "ok" | "warn" | "bad" | "info" | "neutral";

const glyphs: Record<Tone, string> = { ok: "●", warn: "▲", bad: "■", info: "◆", neutral: "○" };

/** A small coloured label with a shape glyph and text, e.g. a phase or health. */
export function Badge(props: { tone: Tone; children: ReactNode; title?: string }): ReactNode {
  return (
    <span className={`badge badge-${props.tone}`} {...(props.title === undefined ? {} : { title: props.title })}>
      <span className="badge-glyph" aria-hidden="true">{glyphs[props.tone]}</span>
      {props.children}
    </span>
  );
}

/** The tone of a Cluster's or NodePool's phase. */
export function phaseTone(phase: string | undefined): Tone {
  switch (phase) {
    case "Running":
    case "Active":
    case "Completed":
    case "Installed":
      return "ok";
    case "Failed":
      return "bad";
    case "Degraded":
    case "Pending":
      return "warn";
    case "Provisioning":
    case "Upgrading":
    case "Restoring":
    case "Scaling":
    case "Deleting":
    case "Installing":
    case "Removing":
      return "info";
    default:
      return "neutral";
  }
}

/** A phase as a badge ("Unknown" when the status has none yet). */
export function PhaseBadge(props: { phase: string | undefined }): ReactNode {
  return <Badge tone={phaseTone(props.phase)}>{props.phase ?? "Unknown"}</Badge>;
}
