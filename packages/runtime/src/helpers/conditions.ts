import { formatTime } from "./time.ts";

/** The three values of a condition's status. */
export type ConditionStatus = "True" | "False" | "Unknown";

/** A metav1.Condition as it is stored in JSON. */
export interface Condition {
  /** CamelCase, e.g. "Ready". */
  readonly type: string;
  readonly status: ConditionStatus;
  /** The .metadata.generation the condition was computed from. */
  readonly observedGeneration?: number;
  /** RFC 3339, second precision: when the status last changed. */
  readonly lastTransitionTime: string;
  /** CamelCase, machine-readable. */
  readonly reason: string;
  /** For humans; may be empty. */
  readonly message: string;
}

/** A condition as a reconciler computes it; the transition time is filled in. */
export interface ConditionInput {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message?: string;
  readonly observedGeneration?: number;
}

/**
 * Returns a new list with `input` set: added if its type is new, replaced
 * otherwise. lastTransitionTime becomes `now` only when the status changes
 * (or the type is new), as apimachinery's meta.SetStatusCondition does, so
 * a reconcile that recomputes the same status writes nothing new. The
 * order of the other conditions is kept; the input is not modified.
 */
export function setCondition(conditions: readonly Condition[] | undefined, input: ConditionInput, now: Date | number): Condition[] {
  const list = conditions ?? [];
  const existing = list.find((c) => c.type === input.type);
  const next: Condition = {
    type: input.type,
    status: input.status,
    ...(input.observedGeneration === undefined ? {} : { observedGeneration: input.observedGeneration }),
    lastTransitionTime: existing && existing.status === input.status ? existing.lastTransitionTime : formatTime(now),
    reason: input.reason,
    message: input.message ?? "",
  };
  return existing ? list.map((c) => (c === existing ? next : c)) : [...list, next];
}

/** Returns a new list without the condition of `type`. */
export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/** The condition of `type`, if present. */
export function getCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** True if the condition of `type` is present with status "True". */
export function isTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === "True";
}

/** True if the condition of `type` is present with status "False". */
export function isFalse(conditions: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === "False";
}

/**
 * True if the condition of `type` is "True" and was computed from
 * `generation`: a Ready condition left from an older spec does not count.
 */
export function isTrueFor(conditions: readonly Condition[] | undefined, type: string, generation: number | undefined): boolean {
  const condition = getCondition(conditions, type);
  return condition?.status === "True" && condition.observedGeneration === generation;
}
