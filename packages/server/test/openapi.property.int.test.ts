import { silentLogger } from "@seedbed/runtime";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/index.ts";
import { bootstrap, startTestServer, tokenAuthFlags, tokens } from "./fixture.ts";
import { client } from "./http.ts";
import { describeRequest, operationsOf, requestsOf, type GeneratedRequest, type Operation } from "./openapi-requests.ts";

/** Seeded, so a failure reproduces; SEEDBED_PROPERTY_SEED explores other runs. */
const seed = Number(process.env.SEEDBED_PROPERTY_SEED ?? 20_240_612);
/**
 * A few hundred requests: about ten per operation (so that each is reached
 * with valid and broken requests as routes are added), in seconds against a
 * real kube-apiserver; SEEDBED_PROPERTY_RUNS sets the number.
 */
const runsPerOperation = 10;
const numRunsOf = (operations: readonly Operation[]): number => Number(process.env.SEEDBED_PROPERTY_RUNS ?? runsPerOperation * operations.length);

/** What came back. */
interface Answer {
  readonly status: number;
  readonly allow: string | null;
  readonly body: unknown;
}

/** The status a request must get, when the request alone decides it (before RBAC and the objects that exist). */
function expectedStatus(request: GeneratedRequest): number | undefined {
  const { intent } = request;
  // The router refuses a malformed %-escape before anything else.
  if (/%(?![0-9A-Fa-f]{2})/.test(request.url)) return 400;
  const api = request.operation.path.startsWith("/api/v1/");
  if (api && request.token === undefined) return 401; // authentication comes before parsing and validation
  // The body is parsed (media type, size, JSON) before parameters and body are validated.
  if (intent.bodyStatus !== undefined && intent.bodyStatus !== 400) return intent.bodyStatus;
  if (!intent.paramsValid || intent.bodyStatus === 400) return 400;
  if (api && request.token === "not-a-token") return 401; // the management API refuses it
  return undefined;
}

describe("the REST API against its own OpenAPI document (property-based, real kube-apiserver)", () => {
  const api = useKubeAPI({ apiServerExtraFlags: tokenAuthFlags() });
  let server: RunningServer;
  let operations: Operation[];

  beforeAll(async () => {
    await bootstrap(api());
    server = await startTestServer(api(), {
      logger: silentLogger(),
      kubeconfigFor: (cluster) => `apiVersion: v1\nkind: Config\nclusters: [{ name: ${cluster.metadata.name ?? ""}, cluster: { server: "https://example.invalid" } }]\n`,
    });
    const call = client(server.url);
    // Objects the generated names hit: a cluster, a pool, a backup and a restore in project a.
    expect((await call("POST", "/projects/a/clusters", { token: tokens.alice, body: { metadata: { name: "one" }, spec: {} } })).status).toBe(201);
    expect((await call("POST", "/projects/a/nodepools", { token: tokens.alice, body: { metadata: { name: "workers" }, spec: { clusterName: "one" } } })).status).toBe(201);
    expect((await call("POST", "/projects/a/etcdbackups", { token: tokens.alice, body: { metadata: { name: "one-b1" }, spec: { clusterName: "one" } } })).status).toBe(201);
    expect((await call("POST", "/projects/a/etcdrestores", { token: tokens.alice, body: { metadata: { name: "one-r1" }, spec: { clusterName: "one" } } })).status).toBe(201);
    // Each kind listed once before the run: a kind's first list, while the API server's watch cache of it starts, may be a 429.
    for (const kind of ["clusters", "nodepools", "etcdbackups", "etcdrestores"]) {
      await eventually(() => call("GET", `/projects/a/${kind}`, { token: tokens.alice }), (res) => res.status === 200, { timeoutMs: 30_000, description: `${kind} listed` });
    }
    operations = operationsOf(await (await fetch(`${server.url}/openapi.json`)).json());
  }, 60_000);
  afterAll(async () => {
    await server.stop();
  });

  /** Sends a generated request; an event stream is cut once its headers arrive. */
  async function send(request: GeneratedRequest): Promise<Answer> {
    const abort = new AbortController();
    const headers: Record<string, string> = {
      ...(request.token === undefined ? {} : { authorization: `Bearer ${request.token}` }),
      ...(request.contentType === undefined ? {} : { "content-type": request.contentType }),
    };
    const response = await fetch(`${server.url}${request.url}`, { method: request.method, headers, body: request.body, signal: abort.signal });
    if ((response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
      abort.abort();
      return { status: response.status, allow: null, body: undefined };
    }
    const text = await response.text();
    return { status: response.status, allow: response.headers.get("allow"), body: text === "" ? undefined : (JSON.parse(text) as unknown) };
  }

  it("answers every generated request with a status its operation documents, never a 5xx, and 405 with Allow for a method a path lacks", async () => {
    const seen = new Map<string, Set<number>>();
    const variants = new Map<string, number>();
    const methodsOf = (path: string): string[] => {
      const methods = new Set(operations.filter((o) => o.path === path).map((o) => o.method));
      if (methods.has("GET")) methods.add("HEAD");
      return [...methods].sort();
    };
    await fc.assert(
      // The owner and the editor of project a twice as often as the others: most requests should get past RBAC to the checks behind it.
      fc.asyncProperty(requestsOf(operations, [tokens.alice, tokens.alice, tokens.carol, tokens.carol, tokens.bob, "not-a-token", undefined]), async (request) => {
        const answer = await send(request);
        variants.set(request.variant, (variants.get(request.variant) ?? 0) + 1);
        const what = `${describeRequest(request)} answered ${answer.status} ${(JSON.stringify(answer.body) as string | undefined)?.slice(0, 300) ?? "(no body)"}`;
        expect(answer.status, what).toBeLessThan(500);
        if (answer.status >= 400) expect((answer.body as { error?: { status?: number } } | undefined)?.error?.status, what).toBe(answer.status);
        if (request.variant === "otherMethod") {
          expect(answer.status, what).toBe(405);
          expect(answer.allow, what).toBe(methodsOf(request.operation.path).join(", "));
          return;
        }
        if (request.variant === "unknownPath") {
          expect(answer.status, what).toBe(404);
          return;
        }
        const key = `${request.method} ${request.operation.path}`;
        seen.set(key, (seen.get(key) ?? new Set()).add(answer.status));
        expect([...request.operation.statuses], what).toContain(answer.status);
        const expected = expectedStatus(request);
        if (expected !== undefined) expect(answer.status, what).toBe(expected);
        // A request the document calls valid is never refused as malformed nor as unauthenticated.
        else expect([400, 401], what).not.toContain(answer.status);
      }),
      { seed, numRuns: numRunsOf(operations) },
    );
    // The run reached every operation, other methods and unknown paths, and the answers that show the checks bite.
    expect([...variants.keys()].sort()).toEqual(["documented", "otherMethod", "unknownPath"]);
    expect([...seen.keys()].sort()).toEqual(operations.map((o) => `${o.method} ${o.path}`).sort());
    const statuses = new Set([...seen.values()].flatMap((s) => [...s]));
    for (const status of [200, 201, 400, 401, 403, 404, 413, 415]) expect([...statuses], `status ${status}`).toContain(status);
  }, 120_000);
});
