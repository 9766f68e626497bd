import type { CARotationPhase } from "@seedbed/api";

/**
 * The steps of a CA rotation, each a state of the cluster's PKI that every
 * component must serve with before the next begins (so that no client and
 * no server ever meets a peer it does not trust):
 *
 * - trust: new CAs and key exist; every trust bundle carries old and new;
 *   every certificate is still signed by the old CAs, tokens by the old key.
 * - issue: client certificates come from the new CAs, tokens from the new
 *   key (every server trusts both already). Done, the rotation is Prepared.
 * - serve: serving certificates come from the new CAs too (every client
 *   trusts both already).
 * - untrust: the old CAs and key leave every bundle; the rotation is
 *   Completed once components serve without them.
 */
export const rotationSteps = ["trust", "issue", "serve", "untrust"] as const;
/** A step of a CA rotation. */
export type RotationStep = (typeof rotationSteps)[number];

/** A rotation as stored beside the PKI it describes (rotation.json in the PKI Secret), so that the two never disagree. */
export interface RotationState {
  readonly id: string;
  readonly phase: CARotationPhase;
  readonly step: RotationStep;
  readonly trigger: "Schedule" | "Manual";
  /** The seedbed.dev/rotate-ca value a Manual rotation answered. */
  readonly requested?: string;
  readonly startedTime: string;
  readonly phaseTime: string;
  readonly stepTime: string;
  /** Since when only the new key signs tokens (the issue step served): tokens of the old key expire by this plus their longest lifetime. */
  readonly newKeySigningSince?: string;
  readonly completionTime?: string;
}

/** What a pass knows when it decides about a rotation. */
export interface RotationInput {
  readonly state: RotationState | undefined;
  readonly now: number;
  /** When the CAs in use were made or last rotated. */
  readonly lastRotationMs: number;
  readonly rotateEveryMs?: number;
  readonly completeAfterMs: number;
  /** The longest a service-account token lives: the old key verifies until tokens it signed have expired. */
  readonly tokenLifetimeMs: number;
  /** The seedbed.dev/rotate-ca annotation. */
  readonly requested?: string;
  /** The seedbed.dev/complete-ca-rotation annotation. */
  readonly completeRequested?: string;
  /** Every component serves with the PKI of the current step (see served.ts). */
  readonly served: boolean;
  /** Real machines made before the rotation was Prepared: their kubelets trust only the old CA, so it completes once their pools have replaced them. */
  readonly untrustingMachines?: number;
}

/** What to do: nothing, or move to a new state (whose PKI the caller then stores), and when to look again. */
export interface RotationDecision {
  readonly next?: RotationState;
  /** What the rotation does or waits for, for status. */
  readonly message?: string;
  /** Look again this soon, for a deadline no event announces (undefined: nothing pending on time). */
  readonly wakeInMs?: number;
}

/** The compact id of a rotation started at `now`. */
export function rotationId(now: number): string {
  return new Date(now).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z").toLowerCase();
}

/** Decides the next state of a cluster's CA rotation (pure; see rotationSteps). */
export function decideRotation(input: RotationInput): RotationDecision {
  const { state, now } = input;
  const time = new Date(now).toISOString();
  if (state === undefined || state.phase === "Completed") return decideStart(input);
  const step = (next: RotationStep, phase: CARotationPhase, extra: Partial<RotationState> = {}): RotationState => ({ ...state, ...extra, step: next, phase, stepTime: time, phaseTime: phase === state.phase ? state.phaseTime : time });
  if (!input.served) return { message: waitingMessage(state), wakeInMs: 1000 };
  switch (state.step) {
    case "trust":
      return { next: step("issue", "Preparing"), message: "every component trusts both CAs; client certificates now come from the new CAs and tokens from the new key" };
    case "issue": {
      // Served: from now on no kube-apiserver signs with the old key (one that had not restarted yet did until just now).
      if (state.phase === "Preparing") return { next: step("issue", "Prepared", { newKeySigningSince: time }), message: preparedMessage(input) };
      const completeAt = Date.parse(state.phaseTime) + input.completeAfterMs;
      const asked = input.completeRequested === state.id;
      if (!asked && now < completeAt) return { message: preparedMessage(input), wakeInMs: completeAt - now };
      const untrusting = input.untrustingMachines ?? 0;
      if (untrusting > 0) return { message: `waiting for ${untrusting} machines made before the rotation to be replaced by their node pools: their kubelets trust only the old CA`, wakeInMs: 5000 };
      return { next: step("serve", "Completing"), message: `${asked ? "completion asked for" : "Prepared for its full time"}: serving certificates now come from the new CAs` };
    }
    case "serve": {
      const tokensExpire = Date.parse(state.newKeySigningSince ?? state.stepTime) + input.tokenLifetimeMs;
      if (now < tokensExpire) return { message: `serving from the new CAs; the old service-account key still verifies tokens until ${new Date(tokensExpire).toISOString()}, when the last token it signed has expired`, wakeInMs: tokensExpire - now };
      return { next: step("untrust", "Completing"), message: "the old CAs and service-account key leave every trust bundle" };
    }
    case "untrust":
      return { next: { ...step("untrust", "Completed"), completionTime: time }, message: "rotation completed: only the new CAs and key are trusted" };
  }
}

/** Whether a rotation starts: asked for by a new annotation value, or due by the schedule. */
function decideStart(input: RotationInput): RotationDecision {
  const { state, now } = input;
  const time = new Date(now).toISOString();
  const manual = input.requested !== undefined && input.requested !== "" && input.requested !== state?.requested;
  const due = input.rotateEveryMs === undefined ? undefined : input.lastRotationMs + input.rotateEveryMs;
  if (!manual && (due === undefined || now < due)) return due === undefined ? {} : { wakeInMs: due - now };
  return {
    next: { id: rotationId(now), phase: "Preparing", step: "trust", trigger: manual ? "Manual" : "Schedule", ...(manual ? { requested: input.requested } : {}), startedTime: time, phaseTime: time, stepTime: time },
    message: "new CAs and service-account key made; every trust bundle now carries the old and the new",
  };
}

function waitingMessage(state: RotationState): string {
  switch (state.step) {
    case "trust":
      return "waiting until every component trusts both the old and the new CAs";
    case "issue":
      return "waiting until every component uses client certificates from the new CAs";
    case "serve":
      return "waiting until every component serves with certificates from the new CAs";
    case "untrust":
      return "waiting until every component has dropped the old CAs";
  }
}

function preparedMessage(input: RotationInput): string {
  const state = input.state;
  const at = state === undefined ? "" : new Date(Date.parse(state.phaseTime) + input.completeAfterMs).toISOString();
  return `both CAs trusted; kubeconfigs handed out now carry both. Refresh kubeconfigs (seedbed kubeconfig NAME) before ${at}, when the rotation completes by itself and the old CA stops working; seedbed cluster rotate-ca NAME --complete completes it now`;
}

/** Which authorities sign in a step: serving certificates and client certificates (with tokens). */
export function signersOf(step: RotationStep | undefined): { server: "previous" | "current"; client: "previous" | "current" } | undefined {
  switch (step) {
    case "trust":
      return { server: "previous", client: "previous" };
    case "issue":
      return { server: "previous", client: "current" };
    case "serve":
      return { server: "current", client: "current" };
    default:
      return undefined;
  }
}

/** Parses a stored rotation.json; undefined when absent or unreadable (a pass then treats the PKI as not rotating). */
export function parseRotationState(text: string | undefined): RotationState | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<RotationState>;
    if (typeof value.id !== "string" || typeof value.step !== "string" || !(rotationSteps as readonly string[]).includes(value.step)) return undefined;
    return value as RotationState;
  } catch {
    return undefined;
  }
}
