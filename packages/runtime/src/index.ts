// The public API of @seedbed/runtime: a small controller runtime over
// @kubernetes/client-node, modelled on controller-runtime and client-go.
export { systemClock, sleep, type Clock, type Timer } from "./clock/clock.ts";
export { FakeClock, flush } from "./clock/fake-clock.ts";
export { apiRoot, collectionPath, groupOf, objectKey, objectPath, type KindRef } from "./client/kind.ts";
export { makeApiClient, SharedConnection } from "./client/connection.ts";
export { preferHTTP1 } from "./client/http1.ts";
export { describeError, isConflict, isNotFound, ObjectClient, statusCodeOf, type RequestOptions } from "./client/object-client.ts";
export { WorkQueue, type QueueMetrics, type WorkQueueOptions } from "./queue/work-queue.ts";
export {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  type RateLimiter,
  type RateLimitOptions,
} from "./queue/rate-limiter.ts";
export { Informer, type EventHandlers, type InformerOptions } from "./informer/informer.ts";
export { InformerCache, type InformerCacheOptions, type InformerScope } from "./informer/informer-cache.ts";
export { Controller, type ControllerOptions } from "./controller/controller.ts";
export { controllerOwnerRequest, requestFor, type OwnsSpec, type WatchSpec } from "./controller/event-sources.ts";
export {
  isTerminalError,
  parseRequestKey,
  requestKey,
  TerminalError,
  type ReconcileContext,
  type Reconciler,
  type ReconcileRequest,
  type ReconcileResult,
} from "./controller/reconciler.ts";
export { apply, applyStatus, seedbedFieldManager, type ApplyOptions } from "./helpers/apply.ts";
export {
  getCondition,
  isFalse,
  isTrue,
  isTrueFor,
  removeCondition,
  setCondition,
  type Condition,
  type ConditionInput,
  type ConditionStatus,
} from "./helpers/conditions.ts";
export { EventRecorder, sanitizeNote, type EventInput, type EventRecorderOptions } from "./helpers/events.ts";
export { ensureFinalizer, hasFinalizer, removeFinalizer } from "./helpers/finalizers.ts";
export { formatMicroTime, formatTime } from "./helpers/time.ts";
export { LeaderElector, type LeaderElectorOptions } from "./leader/leader-elector.ts";
export { defaultIdentity, KubernetesLeaseLock, type LeaseLock, type LeaseRecord, type ObservedLease } from "./leader/lease-lock.ts";
export { createLogger, reconcileLogger, redactPaths, shortId, silentLogger, type LoggerOptions, type ReconcileLogContext } from "./logging/logger.ts";
export { RuntimeMetrics, type ControllerMetrics, type ControllerMetricsFactory, type ReconcileOutcome, type RuntimeMetricsOptions } from "./metrics/metrics.ts";
export { startMetricsServer, type MetricsServer, type MetricsServerOptions } from "./metrics/server.ts";
export { Manager, type LeaderElectionConfig, type ManagedControllerOptions, type ManagerOptions } from "./manager.ts";

// Every process that loads the runtime talks HTTP/1.1 to API servers (see http1.ts).
import { preferHTTP1 as useHTTP1 } from "./client/http1.ts";
useHTTP1();
export { milliCPU, parseQuantity } from "./quantity.ts";
