import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MachineRequest, PoolRef } from "../provider.ts";
import type { AwsCredentials } from "./credentials.ts";
import { FakeEc2 } from "./fake/ec2.ts";
import { AwsProvider, type AwsSettings } from "./provider.ts";

const signer = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "eu-central-1" };
const settings: AwsSettings = { region: "eu-central-1", instanceType: "m6i.large", ami: "ami-0abcdef1234567890", subnetID: "subnet-0123456789abcdef0", securityGroupIDs: ["sg-0123456789abcdef0"] };
const pool: PoolRef = { namespace: "project-acme", name: "workers", clusterId: "acme-prod" };
const request = (name: string, of: PoolRef = pool): MachineRequest => ({
  name, pool: of, template: { cpu: "2", memory: "4Gi", pods: 110 }, kubernetesVersion: "1.31.2", userData: `#cloud-config\n# ${name}\n`,
});

describe("AwsProvider", () => {
  let fake: FakeEc2;
  let provider: AwsProvider;
  const make = (credentials: Partial<AwsCredentials> = {}, maxAttempts = 1): AwsProvider =>
    new AwsProvider(settings, { accessKeyId: signer.accessKeyId, secretAccessKey: signer.secretAccessKey, endpoint: fake.endpoint, ...credentials }, { maxAttempts });
  beforeEach(async () => {
    fake = await FakeEc2.start(signer);
    provider = make();
  });
  afterEach(async () => {
    // Every request must have passed the fake's checks: signature, parameter names and values.
    expect(fake.violations).toEqual([]);
    await fake.stop();
  });

  it("launches a tagged instance that the pool's list shows, and follows its state", async () => {
    const created = await provider.create(request("workers-ab12c"));
    const run = fake.callsOf("RunInstances")[0]?.params;
    expect(Object.fromEntries(run ?? [])).toMatchObject({
      ImageId: settings.ami, InstanceType: "m6i.large", SubnetId: settings.subnetID, "SecurityGroupId.1": "sg-0123456789abcdef0", MinCount: "1", MaxCount: "1",
      "TagSpecification.1.ResourceType": "instance",
      "TagSpecification.1.Tag.1.Key": "Name", "TagSpecification.1.Tag.1.Value": "workers-ab12c",
      "TagSpecification.1.Tag.2.Key": "seedbed.dev/cluster-id", "TagSpecification.1.Tag.2.Value": "acme-prod",
      "TagSpecification.1.Tag.3.Key": "seedbed.dev/node-pool", "TagSpecification.1.Tag.3.Value": "workers",
    });
    expect(Buffer.from(run?.get("UserData") ?? "", "base64").toString("utf8")).toBe("#cloud-config\n# workers-ab12c\n");
    expect(run?.get("ClientToken")).toMatch(/^[0-9a-f]{64}$/);
    const [instance] = fake.instances.values();
    expect(created).toEqual({
      name: "workers-ab12c",
      providerID: `aws:///eu-central-1a/${instance?.id ?? ""}`,
      nodeName: `ip-${(instance?.privateIp ?? "").replaceAll(".", "-")}.ec2.internal`,
      phase: "Pending",
      createdAt: instance?.launchTime.toISOString(),
    });
    expect(await provider.list(pool)).toEqual([created]);
    fake.settle();
    expect((await provider.list(pool)).map((m) => m.phase)).toEqual(["Running"]);
    if (instance !== undefined) instance.state = "stopped";
    expect((await provider.list(pool)).map((m) => m.phase)).toEqual(["Failed"]);
  });

  it("finds the machine instead of launching it again", async () => {
    const first = await provider.create(request("workers-a"));
    const second = await make().create(request("workers-a"));
    expect(second.providerID).toBe(first.providerID);
    expect(fake.callsOf("RunInstances")).toHaveLength(1);
    expect(fake.instances.size).toBe(1);
  });

  it("launches one instance for a retried create that DescribeInstances does not show yet (ClientToken)", async () => {
    fake.describeLag = true;
    const first = await provider.create(request("workers-a"));
    const second = await make().create(request("workers-a"));
    expect(fake.callsOf("RunInstances")).toHaveLength(2);
    expect(fake.instances.size).toBe(1);
    expect(second.providerID).toBe(first.providerID);
    // Another machine gets another token, hence another instance.
    await provider.create(request("workers-b"));
    expect(fake.instances.size).toBe(2);
  });

  it("launches one instance when EC2 launched but the reply was lost and the SDK retried", async () => {
    fake.failAfterLaunch = true;
    const machine = await make({}, 2).create(request("workers-a"));
    const attempts = fake.callsOf("RunInstances");
    expect(attempts.map((c) => c.error)).toEqual(["InternalError", undefined]);
    // Both attempts carry the machine's own token (not one the SDK made up), so a retry by the reconciler would match too.
    const tokens = attempts.map((c) => c.params.get("ClientToken"));
    expect(tokens[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens[1]).toBe(tokens[0]);
    expect(fake.instances.size).toBe(1);
    expect(machine.providerID).toContain([...fake.instances.keys()][0]);
  });

  it("lists only the pool's instances of this cluster, across DescribeInstances pages", async () => {
    fake.pageSize = 2;
    for (const s of ["a", "b", "c", "d", "e"]) await provider.create(request(`workers-${s}`));
    await provider.create(request("workers-x", { ...pool, clusterId: "other" }));
    await provider.create(request("db-y", { ...pool, name: "db" }));
    const calls = fake.callsOf("DescribeInstances").length;
    expect((await provider.list(pool)).map((m) => m.name).sort()).toEqual(["workers-a", "workers-b", "workers-c", "workers-d", "workers-e"]);
    const pages = fake.callsOf("DescribeInstances").slice(calls);
    expect(pages.map((c) => c.params.has("NextToken"))).toEqual([false, true, true]);
    expect(pages[0]?.params.get("Filter.1.Name")).toBe("tag:seedbed.dev/cluster-id");
  });

  it("terminates, shows Deleting while shutting down, and treats a gone instance as deleted", async () => {
    const machine = await provider.create(request("workers-a"));
    await provider.delete(pool, machine);
    expect(fake.callsOf("TerminateInstances")[0]?.params.get("InstanceId.1")).toBe(machine.providerID.split("/").at(-1));
    expect((await provider.list(pool)).map((m) => m.phase)).toEqual(["Deleting"]);
    fake.settle();
    expect(await provider.list(pool)).toEqual([]);
    await provider.delete(pool, machine);
    fake.forgetTerminated();
    await expect(provider.delete(pool, machine)).resolves.toBeUndefined();
    expect(fake.callsOf("TerminateInstances").map((c) => c.error)).toEqual([undefined, undefined, "InvalidInstanceID.NotFound"]);
  });

  it("deletes by name when the machine has no providerID yet", async () => {
    await provider.create(request("workers-a"));
    await provider.delete(pool, { name: "workers-a", providerID: "", nodeName: "", phase: "Pending", createdAt: "" });
    expect([...fake.instances.values()].map((i) => i.state)).toEqual(["shutting-down"]);
  });

  it("surfaces EC2's error code and message", async () => {
    fake.instanceLimit = 1;
    await provider.create(request("workers-a"));
    await expect(provider.create(request("workers-b"))).rejects.toThrow(
      /AWS EC2 RunInstances failed: InstanceLimitExceeded: You have requested more instances \(1\) than your current instance limit of 1/,
    );
  });

  it("signs with the session token of temporary credentials", async () => {
    await fake.stop();
    fake = await FakeEc2.start({ ...signer, sessionToken: "FwoGZXIvYXdzEXAMPLE" });
    await make({ sessionToken: "FwoGZXIvYXdzEXAMPLE" }).list(pool);
    expect(fake.callsOf("DescribeInstances")).toHaveLength(1);
  });
});
