import {
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type Instance,
} from "@aws-sdk/client-ec2";
import { machineLabels, type Machine, type MachineProvider, type MachineRequest, type PoolRef } from "../provider.ts";
import type { AwsCredentials } from "./credentials.ts";
import { clientToken, inPool, instanceIdOf, instanceTags, tagOf, toMachine } from "./instances.ts";

/** A NodePool's spec.provider.aws. */
export interface AwsSettings {
  readonly region: string;
  readonly instanceType: string;
  readonly ami: string;
  readonly subnetID: string;
  readonly securityGroupIDs?: readonly string[];
}

/** What tests and callers may tune. */
export interface AwsProviderOptions {
  /** Attempts per call, retries included (the SDK's default is 3). */
  readonly maxAttempts?: number;
  /** Per request; 30 s by default. */
  readonly requestTimeoutMs?: number;
}

/** Every state but terminated: a terminated instance is gone for the pool. */
const liveStates = ["pending", "running", "shutting-down", "stopping", "stopped"];

/**
 * Machines as EC2 instances. An instance belongs to a pool by its tags
 * (see instances.ts); create is idempotent twice over: it looks the
 * machine up by its Name tag first, and RunInstances carries a client
 * token derived from the machine, for the retry whose first attempt EC2
 * has launched but DescribeInstances does not show yet (it is eventually
 * consistent).
 */
export class AwsProvider implements MachineProvider {
  readonly type = "aws";
  readonly #settings: AwsSettings;
  readonly #ec2: EC2Client;

  constructor(settings: AwsSettings, credentials: AwsCredentials, options: AwsProviderOptions = {}) {
    this.#settings = settings;
    this.#ec2 = new EC2Client({
      region: settings.region,
      credentials: {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }),
      },
      ...(credentials.endpoint === undefined ? {} : { endpoint: credentials.endpoint }),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      requestHandler: { requestTimeout: options.requestTimeoutMs ?? 30_000, connectionTimeout: 10_000 },
    });
  }

  async create(request: MachineRequest): Promise<Machine> {
    const existing = (await this.#instances(request.pool)).find((i) => tagOf(i, "Name") === request.name);
    const found = existing === undefined ? undefined : toMachine(existing);
    if (found !== undefined) return found;
    const s = this.#settings;
    const reply = await ec2Call("RunInstances", this.#ec2.send(new RunInstancesCommand({
      ImageId: s.ami,
      // The SDK types the known instance types as a union; new types appear before the SDK knows them, and EC2 checks the value anyway.
      InstanceType: s.instanceType as RunInstancesCommand["input"]["InstanceType"],
      SubnetId: s.subnetID,
      ...(s.securityGroupIDs !== undefined && s.securityGroupIDs.length > 0 ? { SecurityGroupIds: [...s.securityGroupIDs] } : {}),
      MinCount: 1,
      MaxCount: 1,
      UserData: Buffer.from(request.userData, "utf8").toString("base64"),
      ClientToken: clientToken(request.pool, request.name),
      TagSpecifications: [{ ResourceType: "instance", Tags: instanceTags(request.pool, request.name) }],
    })));
    const instance = reply.Instances?.[0];
    if (instance === undefined) throw new Error(`AWS EC2 RunInstances for ${request.name} answered without an instance`);
    const machine = toMachine(instance);
    if (machine === undefined) {
      // EC2 keeps a client token for at least a day after its instance terminated, and answers with that instance.
      throw new Error(`AWS EC2 answered the create of ${request.name} with terminated instance ${instance.InstanceId ?? "?"}: a machine of this name was deleted recently; use a new machine name`);
    }
    return machine;
  }

  async delete(pool: PoolRef, machine: Machine): Promise<void> {
    const id = instanceIdOf(machine.providerID)
      ?? (await this.#instances(pool)).find((i) => tagOf(i, "Name") === machine.name)?.InstanceId;
    if (id === undefined) return;
    try {
      // TerminateInstances is idempotent by itself: terminating a terminating instance succeeds.
      await this.#ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    } catch (error) {
      // Gone for longer than EC2 remembers terminated instances (about an hour), or never there.
      if (error instanceof Error && error.name === "InvalidInstanceID.NotFound") return;
      throw ec2Error("TerminateInstances", error);
    }
  }

  async list(pool: PoolRef): Promise<Machine[]> {
    return (await this.#instances(pool)).map(toMachine).filter((m) => m !== undefined);
  }

  /** The pool's instances that are not terminated, every page of them. */
  async #instances(pool: PoolRef): Promise<Instance[]> {
    const instances: Instance[] = [];
    let nextToken: string | undefined;
    do {
      const reply = await ec2Call("DescribeInstances", this.#ec2.send(new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${machineLabels.clusterId}`, Values: [pool.clusterId] },
          { Name: `tag:${machineLabels.pool}`, Values: [pool.name] },
          { Name: "instance-state-name", Values: liveStates },
        ],
        MaxResults: 1000,
        ...(nextToken === undefined ? {} : { NextToken: nextToken }),
      })));
      for (const reservation of reply.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
      nextToken = reply.NextToken === "" ? undefined : reply.NextToken;
    } while (nextToken !== undefined);
    // The filters did this already; check again so a cloud that ignores a filter cannot hand us another pool's machines.
    return instances.filter((i) => inPool(i, pool));
  }
}

/** The reply of an EC2 call, or an Error naming the action and EC2's error code, which is what the user acts on. */
async function ec2Call<T>(action: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw ec2Error(action, error);
  }
}

function ec2Error(action: string, error: unknown): Error {
  const code = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  const hint = code === "IdempotentParameterMismatch"
    ? " (the machine was first requested with other settings or user data; the retry must match them, or the machine needs a new name)"
    : "";
  return new Error(`AWS EC2 ${action} failed: ${code}: ${message}${hint}`, { cause: error });
}
