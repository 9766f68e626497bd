import { randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkParameters, Ec2Refusal, listOf } from "./params.ts";
import { signatureProblem, type Signer } from "./sigv4.ts";
import { describeInstancesXml, errorXml, runInstancesXml, terminateInstancesXml, type FakeInstance } from "./xml.ts";

/** One call the fake accepted or refused. */
export interface Ec2Call {
  readonly action: string;
  readonly params: ReadonlyMap<string, string>;
  /** EC2's error code when the call was refused. */
  readonly error?: string;
}

const hex = (bytes: number): string => randomBytes(bytes).toString("hex");

/**
 * Test support: EC2's Query API on 127.0.0.1. Each request must be a
 * form-encoded POST to / with a valid SigV4 signature for service ec2 in
 * the signer's region, Version 2016-11-15 and only the parameters the API
 * reference defines for its action; anything else is answered with an EC2
 * error and recorded in `violations`. RunInstances honours ClientToken as
 * EC2 documents: a repeat with the same parameters returns the first
 * launch, a repeat with others fails with IdempotentParameterMismatch.
 */
export class FakeEc2 {
  readonly instances = new Map<string, FakeInstance>();
  readonly calls: Ec2Call[] = [];
  readonly violations: string[] = [];
  /** Live instances the account may run (InstanceLimitExceeded beyond). */
  instanceLimit = 20;
  /** Most instances a DescribeInstances page holds, whatever MaxResults says. */
  pageSize = 1000;
  /** While set, new instances stay out of DescribeInstances, as right after a launch on EC2. */
  describeLag = false;
  /** Launch, then answer the next RunInstances with a 500, as when a reply is lost. */
  failAfterLaunch = false;
  readonly #tokens = new Map<string, { request: string; instanceIds: string[] }>();
  readonly #signer: Signer;
  readonly #server: Server;
  #ip = 10;

  private constructor(signer: Signer) {
    this.#signer = signer;
    this.#server = createServer((req, res) => void this.#serve(req, res));
  }

  static async start(signer: Signer): Promise<FakeEc2> {
    const fake = new FakeEc2(signer);
    fake.#server.listen(0, "127.0.0.1");
    await once(fake.#server, "listening");
    return fake;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  /** The calls of `action` made so far. */
  callsOf(action: string): Ec2Call[] {
    return this.calls.filter((c) => c.action === action);
  }

  /** Moves instances on: shutting-down ones become terminated, pending ones running; lagging ones become visible. */
  settle(): void {
    for (const i of this.instances.values()) {
      if (i.state === "shutting-down") i.state = "terminated";
      if (i.state === "pending") i.state = "running";
      i.hidden = false;
    }
  }

  /** Forgets terminated instances, as EC2 does about an hour after termination. */
  forgetTerminated(): void {
    for (const [id, i] of this.instances) if (i.state === "terminated") this.instances.delete(id);
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const requestId = randomUUID();
    const form = new URLSearchParams(body.toString("utf8"));
    let action = form.get("Action") ?? "?";
    try {
      const url = new URL(req.url ?? "/", "http://fake");
      if (req.method !== "POST" || url.pathname !== "/" || url.search !== "") throw new Ec2Refusal("InvalidRequest", `the Query API takes POST / with a form body, not ${req.method ?? ""} ${req.url ?? ""}`);
      if (req.headers["content-type"]?.split(";")[0]?.trim() !== "application/x-www-form-urlencoded") throw new Ec2Refusal("InvalidRequest", "Content-Type must be application/x-www-form-urlencoded");
      const problem = signatureProblem({ method: "POST", path: url.pathname, query: url.searchParams, headers: req.headers, body }, this.#signer, Date.now());
      if (problem !== undefined) throw new Ec2Refusal("AuthFailure", problem, 401);
      const checked = checkParameters(form);
      action = checked.action;
      const xml = this.#act(checked.action, checked.params, requestId);
      this.calls.push({ action, params: checked.params });
      res.writeHead(200, { "Content-Type": "text/xml;charset=UTF-8" }).end(xml);
    } catch (error) {
      const refusal = error instanceof Ec2Refusal ? error : new Ec2Refusal("InternalError", String(error), 500);
      if (!expected.has(refusal.code)) this.violations.push(`${action}: ${refusal.code}: ${refusal.message}`);
      this.calls.push({ action, params: new Map(form), error: refusal.code });
      res.writeHead(refusal.status, { "Content-Type": "text/xml;charset=UTF-8" }).end(errorXml(requestId, refusal.code, refusal.message));
    }
  }

  #act(action: string, params: Map<string, string>, requestId: string): string {
    if (action === "RunInstances") return runInstancesXml(requestId, this.#run(params));
    if (action === "TerminateInstances") return terminateInstancesXml(requestId, this.#terminate(listOf(params, "InstanceId")));
    const page = this.#describe(params);
    return describeInstancesXml(requestId, page.reservations, page.nextToken);
  }

  #run(params: Map<string, string>): FakeInstance[] {
    if (params.get("MinCount") !== "1" || params.get("MaxCount") !== "1") throw new Ec2Refusal("InvalidParameterValue", "this fake launches one instance per call");
    const token = params.get("ClientToken");
    const request = JSON.stringify([...params].filter(([k]) => k !== "ClientToken").sort());
    const earlier = token === undefined ? undefined : this.#tokens.get(token);
    if (earlier !== undefined) {
      if (earlier.request !== request) throw new Ec2Refusal("IdempotentParameterMismatch", "The client token you have provided is associated with a resource that was created with different parameters");
      return earlier.instanceIds.flatMap((id) => this.instances.get(id) ?? []);
    }
    const live = [...this.instances.values()].filter((i) => i.state !== "terminated" && i.state !== "shutting-down").length;
    if (live >= this.instanceLimit) {
      throw new Ec2Refusal("InstanceLimitExceeded", `You have requested more instances (1) than your current instance limit of ${this.instanceLimit} allows for the specified instance type.`);
    }
    const instance: FakeInstance = {
      id: `i-${hex(9).slice(0, 17)}`, reservationId: `r-${hex(9).slice(0, 17)}`, state: "pending", zone: `${this.#signer.region}a`,
      privateIp: `10.0.1.${this.#ip++}`, launchTime: new Date(), imageId: params.get("ImageId") ?? "", instanceType: params.get("InstanceType") ?? "",
      subnetId: params.get("SubnetId") ?? "", securityGroupIds: listOf(params, "SecurityGroupId"), userData: params.get("UserData") ?? "",
      clientToken: token ?? "", tags: instanceTagsOf(params), hidden: this.describeLag,
    };
    this.instances.set(instance.id, instance);
    if (token !== undefined) this.#tokens.set(token, { request, instanceIds: [instance.id] });
    if (this.failAfterLaunch) {
      this.failAfterLaunch = false;
      throw new Ec2Refusal("InternalError", "An internal error has occurred", 500);
    }
    return [instance];
  }

  #terminate(ids: readonly string[]): { id: string; previous: FakeInstance["state"]; current: FakeInstance["state"] }[] {
    const missing = ids.filter((id) => !this.instances.has(id));
    if (missing.length > 0) throw new Ec2Refusal("InvalidInstanceID.NotFound", `The instance IDs '${missing.join(", ")}' do not exist`);
    return ids.map((id) => {
      const instance = this.instances.get(id);
      if (instance === undefined) throw new Error("unreachable");
      const previous = instance.state;
      if (previous !== "terminated") instance.state = "shutting-down";
      return { id, previous, current: instance.state };
    });
  }

  #describe(params: Map<string, string>): { reservations: FakeInstance[][]; nextToken: string | undefined } {
    let matching = [...this.instances.values()].filter((i) => !i.hidden);
    for (let n = 1; params.has(`Filter.${n}.Name`); n++) {
      const name = params.get(`Filter.${n}.Name`) ?? "";
      const values = listOf(params, `Filter.${n}.Value`);
      if (values.length === 0) throw new Ec2Refusal("InvalidParameterValue", `Filter ${name} has no values`);
      if (name === "instance-state-name") matching = matching.filter((i) => values.includes(i.state));
      else if (name.startsWith("tag:")) matching = matching.filter((i) => values.includes(i.tags[name.slice(4)] ?? "\u0000"));
      else throw new Ec2Refusal("InvalidParameterValue", `The filter '${name}' is invalid (this fake knows tag:<key> and instance-state-name)`);
    }
    const offsetText = params.get("NextToken");
    const offset = offsetText === undefined ? 0 : Number(Buffer.from(offsetText, "base64url").toString("utf8").replace(/^page:/, ""));
    if (!Number.isInteger(offset) || offset < 0 || offset > matching.length) throw new Ec2Refusal("InvalidParameterValue", "The token is invalid (NextToken)");
    const size = Math.min(Number(params.get("MaxResults") ?? Infinity), this.pageSize);
    const page = matching.slice(offset, offset + size);
    const end = offset + page.length;
    return { reservations: page.map((i) => [i]), nextToken: end < matching.length ? Buffer.from(`page:${end}`).toString("base64url") : undefined };
  }
}

/** Errors a correct client can meet: the cloud's answers, not broken requests. */
const expected = new Set(["InvalidInstanceID.NotFound", "InstanceLimitExceeded", "InternalError", "IdempotentParameterMismatch"]);

/** The tags of the instance's TagSpecification (other resource types' tags ignored). */
function instanceTagsOf(params: ReadonlyMap<string, string>): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let s = 1; params.has(`TagSpecification.${s}.ResourceType`); s++) {
    if (params.get(`TagSpecification.${s}.ResourceType`) !== "instance") continue;
    for (let t = 1; params.has(`TagSpecification.${s}.Tag.${t}.Key`); t++) {
      tags[params.get(`TagSpecification.${s}.Tag.${t}.Key`) ?? ""] = params.get(`TagSpecification.${s}.Tag.${t}.Value`) ?? "";
    }
  }
  return tags;
}
