import type { ReactNode } from "react";
import type { WatchState } from "./watch.ts";

/** How the live updates stand: one quiet line when all is well, the problem per project otherwise. */
export function WatchStatus(props: { states: ReadonlyMap<string, WatchState> }): ReactNode {
  const entries = [...props.states.entries()].sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return null;
  const problems = entries.filter(([, s]) => s.status === "retrying" || s.status === "stopped");
  const connecting = entries.some(([, s]) => s.status === "connecting");
  return (
    <div className="watch-status">
      {problems.length === 0 ? (
        <p className="muted" role="status">
          <span className={`live-dot${connecting ? " live-dot-waiting" : ""}`} aria-hidden="true" />
          {connecting ? "Connecting live updates…" : "Live updates on"}
        </p>
      ) : null}
      {problems.map(([project, state]) => state.status === "stopped" ? (
        <p key={project} className="error-message" role="alert">Live updates of project {project} stopped: {state.message}</p>
      ) : state.status === "retrying" ? (
        <p key={project} className="warning-message" role="status">Live updates of project {project} were interrupted ({state.message}); reconnecting in {Math.round(state.retryInMs / 1000)} s.</p>
      ) : null)}
    </div>
  );
}
