import fc, { type Arbitrary } from "fast-check";
import { valueOf, type Schema } from "./schema-arbitrary.ts";

/** One operation of the OpenAPI document. */
export interface Operation {
  readonly method: string;
  /** The path template, e.g. /api/v1/projects/{project}/clusters. */
  readonly path: string;
  /** The statuses the operation documents. */
  readonly statuses: ReadonlySet<number>;
  readonly pathParams: readonly { readonly name: string; readonly schema: Schema }[];
  readonly queryParams: readonly { readonly name: string; readonly schema: Schema }[];
  /** The JSON body schema and the media types the operation consumes. */
  readonly body?: { readonly schema: Schema; readonly mediaTypes: readonly string[] };
}

interface OpenAPIDocument {
  paths: Record<string, Record<string, {
    parameters?: { in: string; name: string; schema: Schema }[];
    requestBody?: { content: Record<string, { schema: Schema }> };
    responses: Record<string, unknown>;
  }>>;
}

/** Every operation of an OpenAPI document. */
export function operationsOf(doc: unknown): Operation[] {
  return Object.entries((doc as OpenAPIDocument).paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const content = Object.entries(op.requestBody?.content ?? {});
      const schema = content[0]?.[1].schema;
      return {
        method: method.toUpperCase(),
        path,
        statuses: new Set(Object.keys(op.responses).map(Number)),
        pathParams: (op.parameters ?? []).filter((p) => p.in === "path").map((p) => ({ name: p.name, schema: p.schema })),
        queryParams: (op.parameters ?? []).filter((p) => p.in === "query").map((p) => ({ name: p.name, schema: p.schema })),
        ...(schema === undefined ? {} : { body: { schema, mediaTypes: content.map(([type]) => type) } }),
      };
    }),
  );
}

/** What a generated request is meant to be, so the test knows what must come back. */
export interface Intent {
  /** Every path parameter and the query fit their schemas (else 400). */
  readonly paramsValid: boolean;
  /** The status a broken body must get (it breaks the schema or the stated namespace rule); undefined for a valid body or none. */
  readonly bodyStatus?: 400 | 413 | 415;
}

/** A generated request. */
export interface GeneratedRequest {
  readonly operation: Operation;
  /** "documented", or a method the path does not have (405), or a path that does not exist (404). */
  readonly variant: "documented" | "otherMethod" | "unknownPath";
  readonly method: string;
  /** Path and query, already encoded. */
  readonly url: string;
  readonly token: string | undefined;
  readonly contentType?: string;
  readonly body?: string;
  readonly intent: Intent;
}

/** A one-line account of a request, for failures and for fast-check's counterexamples (not the whole schema). */
export function describeRequest(request: GeneratedRequest): string {
  const body = request.body === undefined ? "" : ` ${request.contentType ?? ""} ${request.body.length > 300 ? `${request.body.slice(0, 300)}… (${request.body.length} bytes)` : request.body}`;
  return `${request.method} ${request.url} [${request.variant}, params ${request.intent.paramsValid ? "valid" : "invalid"}, body ${request.intent.bodyStatus === undefined ? "valid or none" : `breaks the schema (${request.intent.bodyStatus})`}, token ${request.token ?? "none"}]${body}`;
}

function described(request: GeneratedRequest): GeneratedRequest {
  return Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) });
}

/** Per parameter, names that exist in the suite (project a, where alice, bob and carol all have a role, most often) and some that do not. */
const knownNames: Record<string, readonly string[]> = { project: ["a", "a", "a", "b", "nope"], cluster: ["one", "one", "ghost"], pool: ["workers", "workers", "ghost"], backup: ["one-b1", "one-b1", "ghost"], restore: ["one-r1", "one-r1", "ghost"], addon: ["coredns", "metrics-server", "x"] };
/** Path segments no name parameter accepts (encoded as a client would). */
const badSegments = ["A", "-x", "x-", "x_y", "a.b", "x".repeat(70), "%C3%BC", "%2F", "%20", "%zz", "1%2F2"];

function nameParam(name: string, schema: Schema): Arbitrary<{ segment: string; valid: boolean }> {
  const max = typeof schema.maxLength === "number" ? schema.maxLength : 63;
  const valid = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...(knownNames[name] ?? ["x"])) },
    { weight: 1, arbitrary: valueOf(schema).filter((v): v is string => typeof v === "string" && v.length <= max) },
  );
  return fc.oneof(
    { weight: 5, arbitrary: valid.map((segment) => ({ segment: encodeURIComponent(segment), valid: true })) },
    { weight: 1, arbitrary: fc.constantFrom(...badSegments).map((segment) => ({ segment, valid: false })) },
  );
}

/** Whether a body schema refuses the empty object. */
function asksForSomething(schema: Schema | undefined): boolean {
  return (typeof schema?.minProperties === "number" && schema.minProperties > 0) || (Array.isArray(schema?.required) && schema.required.length > 0);
}

/** Bodies that break the schema, each with the status it must get. */
function badBodies(operation: Operation, valid: Arbitrary<unknown>): Arbitrary<{ body: string; contentType: string; status: 400 | 413 | 415 }> {
  const json = (status: 400 | 413 | 415, contentType = "application/json") => (value: unknown) => ({ body: JSON.stringify(value), contentType, status });
  const object = valid.map((v) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {}));
  // A create names its object; other bodies (an action's, a PATCH's, an add-on's PUT) have no metadata to leave out.
  const creating = Array.isArray(operation.body?.schema.required) && operation.body.schema.required.includes("metadata");
  return fc.oneof(
    fc.constant({ body: "{ not json", contentType: "application/json", status: 400 as const }),
    fc.constant({ body: "", contentType: "application/json", status: 400 as const }),
    fc.constant({ body: "name=x", contentType: "application/x-www-form-urlencoded", status: 415 as const }),
    fc.constant({ body: "hello", contentType: "text/plain", status: 415 as const }),
    fc.constant(JSON.stringify({ spec: { blob: "x".repeat(70 * 1024) } })).map((body) => ({ body, contentType: "application/json", status: 413 as const })),
    object.map((v) => ({ ...v, bogus: 1 })).map(json(400)),
    object.map((v) => ({ ...v, spec: "not an object" })).map(json(400)),
    object.map((v) => ({ ...v, metadata: { name: 42 } })).map(json(400)),
    ...(creating
      ? [
          object.map(({ metadata: _m, ...rest }) => rest).map(json(400)),
          // Fits the schema's pattern but is another project's namespace: the rule the description states.
          object.map((v) => ({ ...v, metadata: { name: "fine", namespace: "project-elsewhere" } })).map(json(400)),
        ]
      // `{}` breaks a schema that asks for something (a PATCH's minProperties, required fields); an add-on's PUT takes it.
      : asksForSomething(operation.body?.schema) ? [fc.constant({}).map(json(400))] : []),
  );
}

/**
 * A value the query parameter's schema refuses: "maybe" for an enum or a
 * number written as digits; for a pattern that takes words (a name, a
 * label selector, where "maybe" is fine), one that starts with '-(',
 * which neither a name nor a selector may.
 */
function invalidQueryValue(schema: Schema): string {
  return typeof schema.pattern === "string" && new RegExp(schema.pattern, "u").test("maybe") ? "-(" : "maybe";
}

/** A documented request of `operation`, valid or broken in one place. */
function documented(operation: Operation, tokens: readonly (string | undefined)[]): Arbitrary<GeneratedRequest> {
  const params = fc.tuple(...operation.pathParams.map((p) => nameParam(p.name, p.schema)));
  const query = fc.tuple(...operation.queryParams.map((q) => fc.oneof(
    { weight: 2, arbitrary: fc.constant({ part: "", valid: true }) },
    { weight: 3, arbitrary: valueOf(q.schema).map((v) => ({ part: `${q.name}=${encodeURIComponent(String(v))}`, valid: true })) },
    { weight: 1, arbitrary: fc.constant({ part: `${q.name}=${encodeURIComponent(invalidQueryValue(q.schema))}`, valid: false }) },
  )));
  const body = operation.body;
  const bodies = body === undefined
    ? fc.constant(undefined)
    : fc.oneof(
        { weight: 3, arbitrary: fc.tuple(validBody(operation, body.schema), fc.constantFrom(...body.mediaTypes)).map(([value, contentType]) => ({ body: JSON.stringify(value), contentType, status: undefined })) },
        { weight: 2, arbitrary: badBodies(operation, validBody(operation, body.schema)) },
      );
  return fc.record({ params, query, body: bodies, token: fc.constantFrom(...tokens) }).map(({ params: values, query: parts, body: sent, token }) => {
    let path = operation.path;
    operation.pathParams.forEach((p, i) => (path = path.replace(`{${p.name}}`, values[i]?.segment ?? "")));
    // The project's namespace must be the one in the path: put it in where the generator chose "the project's".
    const project = values[0]?.valid === true ? decodeURIComponent(values[0].segment) : "elsewhere";
    const text = sent?.body.replace('"namespace":"project-(this)"', `"namespace":"project-${project}"`);
    const search = parts.map((p) => p.part).filter((p) => p !== "").join("&");
    const paramsValid = values.every((v) => v.valid) && parts.every((p) => p.valid);
    const intent: Intent = { paramsValid, ...(sent?.status === undefined ? {} : { bodyStatus: sent.status }) };
    return described({
      operation,
      variant: "documented" as const,
      method: operation.method,
      url: `${path}${search === "" ? "" : `?${search}`}`,
      token,
      ...(sent === undefined || text === undefined ? {} : { body: text, contentType: sent.contentType }),
      intent,
    });
  });
}

/** A valid body: the schema, with metadata.namespace either left out or (filled in later) the path's project's. */
function validBody(operation: Operation, schema: Schema): Arbitrary<unknown> {
  const override = (path: readonly string[]): Arbitrary<unknown> | undefined => {
    const field = path.join(".");
    if (field === "metadata.namespace") return fc.constantFrom(undefined, "project-(this)");
    // A pool names its cluster: mostly one that exists (a CEL rule, not the schema, checks the form).
    if (field === "spec.clusterName") return fc.oneof({ weight: 3, arbitrary: fc.constant("one") }, { weight: 1, arbitrary: valueOf(((schema.properties as Record<string, Schema>).spec?.properties as Record<string, Schema>).clusterName ?? {}) });
    return undefined;
  };
  if (operation.method === "PATCH") return valueOf(schema, [], { override }).filter((value) => Object.keys(value as object).length > 0);
  // A create: a full body (most are refused by CEL rules: 422) or a minimal one (most are created: 201).
  return fc.oneof(valueOf(schema, [], { override }), valueOf(schema, [], { override, sparse: true }));
}

/**
 * Requests from an OpenAPI document: its operations with valid and broken
 * parameters and bodies, methods its paths do not have, and paths it does
 * not have; as `tokens` (undefined: none).
 */
export function requestsOf(operations: readonly Operation[], tokens: readonly (string | undefined)[]): Arbitrary<GeneratedRequest> {
  const methodsOf = (path: string): Set<string> => new Set(operations.filter((o) => o.path === path).map((o) => o.method));
  const other = fc.tuple(fc.constantFrom(...operations), fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"), fc.constantFrom(...tokens))
    .filter(([operation, method]) => !methodsOf(operation.path).has(method))
    .map(([operation, method, token]) => described({
      operation,
      variant: "otherMethod",
      method,
      url: operation.path.replace(/\{[^}]+\}/g, "a"),
      token,
      intent: { paramsValid: true },
    }));
  const unknown = fc.tuple(fc.constantFrom(...operations), fc.constantFrom("/extra", "/x/y", "s"), fc.constantFrom("GET", "POST", "DELETE"), fc.constantFrom(...tokens))
    .filter(([operation]) => operation.path.startsWith("/api/v1/"))
    .map(([operation, suffix, method, token]) => described({
      operation,
      variant: "unknownPath",
      method,
      url: `${operation.path.replace(/\{[^}]+\}/g, "a")}${suffix}`,
      token,
      intent: { paramsValid: true },
    }))
    // A suffix that happens to make another documented path is not unknown.
    .filter((request) => !operations.some((o) => new RegExp(`^${o.path.replace(/\{[^}]+\}/g, "[^/]*")}$`).test(request.url)));
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...operations).chain((operation) => documented(operation, tokens)) },
    { weight: 1, arbitrary: other },
    { weight: 1, arbitrary: unknown },
  );
}
