import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { systemClock, type Clock } from "../clock/clock.ts";
import { describeError, isNotFound, type ObjectClient } from "../client/object-client.ts";
import { silentLogger } from "../logging/logger.ts";
import { formatMicroTime } from "./time.ts";

/** One thing worth telling the object's users about. */
export interface EventInput {
  /** Default "Normal". */
  readonly type?: "Normal" | "Warning";
  /** CamelCase, why it happened, e.g. "CertificateRotated". */
  readonly reason: string;
  /** CamelCase, what was done or failed, e.g. "Rotate". */
  readonly action: string;
  /** For humans, at most 1 kB. Never a secret: Events are readable by anyone who can read the object. */
  readonly note?: string;
  /** A second object involved, if any. */
  readonly related?: KubernetesObject;
}

/** Who reports, and dependencies. */
export interface EventRecorderOptions {
  readonly client: ObjectClient;
  /** The controller's name; reportingController becomes "seedbed.dev/<controller>". */
  readonly controller: string;
  /** reportingInstance, e.g. the pod name; the host name by default. */
  readonly instance?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Repeats within this window bump the series of the first Event (default 30 min); later ones start a new Event. */
  readonly seriesWindowMs?: number;
}

interface Aggregate {
  namespace: string;
  name?: string;
  count: number;
  firstSeen: number;
  /** Writes for one aggregate run one after another, so counts never go backwards. */
  chain: Promise<void>;
}

const maxAggregates = 4096;
const maxNoteBytes = 1024;

/**
 * Writes events.k8s.io/v1 Events. An identical event repeated (same
 * object, type, reason, action and note) bumps `series.count` of the
 * Event written first instead of creating another, as client-go's events
 * library does, so a failing reconcile in backoff does not flood the API.
 * Recording never throws or blocks the caller; failures are logged.
 */
export class EventRecorder {
  readonly #options: EventRecorderOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #aggregates = new Map<string, Aggregate>();
  readonly #pending = new Set<Promise<void>>();

  /** A recorder reporting as "seedbed.dev/<controller>". */
  constructor(options: EventRecorderOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = (options.logger ?? silentLogger()).child({ eventRecorder: options.controller });
  }

  /** Records `event` about `regarding` in the background. */
  record(regarding: KubernetesObject, event: EventInput): void {
    const key = JSON.stringify([refOf(regarding), event.type ?? "Normal", event.reason, event.action, event.note ?? "", event.related ? refOf(event.related) : null]);
    let aggregate = this.#aggregates.get(key);
    if (!aggregate) {
      aggregate = { namespace: regarding.metadata?.namespace ?? "default", count: 0, firstSeen: 0, chain: Promise.resolve() };
      this.#aggregates.set(key, aggregate);
      // Maps iterate in insertion order: the first key is the oldest.
      if (this.#aggregates.size > maxAggregates) this.#aggregates.delete(this.#aggregates.keys().next().value as string);
    }
    const target = aggregate;
    const write = target.chain.then(() => this.#write(target, regarding, event)).catch((error: unknown) => {
      this.#log.warn({ error: describeError(error), reason: event.reason }, "Writing an Event failed");
    });
    target.chain = write;
    this.#pending.add(write);
    void write.finally(() => this.#pending.delete(write));
  }

  /** Resolves once every Event recorded so far has been written (or failed). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  async #write(aggregate: Aggregate, regarding: KubernetesObject, event: EventInput): Promise<void> {
    const now = this.#clock.now();
    const client = this.#options.client;
    const inWindow = now - aggregate.firstSeen < (this.#options.seriesWindowMs ?? 30 * 60_000);
    if (aggregate.name !== undefined && inWindow) {
      const count = aggregate.count + 1;
      try {
        await client.request("PATCH", `/apis/events.k8s.io/v1/namespaces/${aggregate.namespace}/events/${aggregate.name}`, {
          body: { series: { count, lastObservedTime: formatMicroTime(now) } },
          contentType: PatchStrategy.MergePatch,
        });
        aggregate.count = count;
        return;
      } catch (error) {
        // Events expire (one hour by default): start a new one.
        if (!isNotFound(error)) throw error;
      }
    }
    // client-go's naming: the object's name and a unique suffix, within the 253 characters of a name.
    const name = `${(regarding.metadata?.name ?? "object").slice(0, 200)}.${now.toString(16)}${randomBytes(3).toString("hex")}`;
    await client.request("POST", `/apis/events.k8s.io/v1/namespaces/${aggregate.namespace}/events`, {
      body: {
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        metadata: { name, namespace: aggregate.namespace },
        eventTime: formatMicroTime(now),
        reportingController: `seedbed.dev/${this.#options.controller}`,
        reportingInstance: (this.#options.instance ?? hostname()).slice(0, 128),
        action: event.action,
        reason: event.reason,
        type: event.type ?? "Normal",
        note: sanitizeNote(event.note ?? ""),
        regarding: refOf(regarding),
        related: event.related ? refOf(event.related) : undefined,
      },
    });
    Object.assign(aggregate, { name, count: 1, firstSeen: now });
  }
}

/** An ObjectReference without resourceVersion, so repeats about a changing object still aggregate. */
function refOf(obj: KubernetesObject): Record<string, string | undefined> {
  const m = obj.metadata;
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: m?.namespace, name: m?.name, uid: m?.uid };
}

/**
 * A last line of defence for notes built from error messages: private key
 * blocks and bearer tokens are cut out, and the note is kept within the
 * API's 1 kB limit.
 */
export function sanitizeNote(note: string): string {
  const cleaned = note
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, "[redacted private key]")
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, "$1 [redacted]");
  if (Buffer.byteLength(cleaned) <= maxNoteBytes) return cleaned;
  let cut = cleaned.slice(0, maxNoteBytes - 3);
  while (Buffer.byteLength(cut) > maxNoteBytes - 3) cut = cut.slice(0, -1);
  return `${cut}...`;
}
