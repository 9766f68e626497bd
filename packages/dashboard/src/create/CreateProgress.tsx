import type { ReactNode } from "react";
import { describeError } from "../api/errors.ts";
import type { Step } from "./submit.ts";

const stateWords: Record<Step["state"], string> = { waiting: "waiting", running: "creating…", done: "created", failed: "refused" };

/** What the wizard is creating, step by step, announced politely. */
export function CreateProgress(props: { steps: readonly Step[] }): ReactNode {
  if (props.steps.length === 0) return null;
  return (
    <div className="create-progress" role="status" aria-live="polite">
      <h2>Progress</h2>
      <ol>
        {props.steps.map((step) => (
          <li key={step.id} className={`step step-${step.state}`} {...(step.state === "running" ? { "aria-current": "step" as const } : {})}>
            {step.state === "running" ? <span className="spinner" aria-hidden="true" /> : null}
            {step.label}: {stateWords[step.state]}
            {step.state === "failed" ? <> — {describeError(step.error)}</> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
