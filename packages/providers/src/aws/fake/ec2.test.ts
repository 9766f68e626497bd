import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AwsProvider } from "../provider.ts";
import { FakeEc2 } from "./ec2.ts";

/** The fake must refuse what EC2 refuses, or the provider tests prove nothing. */
describe("fake EC2", () => {
  const signer = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret", region: "eu-central-1" };
  const settings = { region: "eu-central-1", instanceType: "m6i.large", ami: "ami-0abcdef1234567890", subnetID: "subnet-0123456789abcdef0" };
  const pool = { namespace: "project-acme", name: "workers", clusterId: "acme-prod" };
  let fake: FakeEc2;
  beforeEach(async () => {
    fake = await FakeEc2.start(signer);
  });
  afterEach(async () => {
    await fake.stop();
  });

  it("refuses a signature made with another secret key", async () => {
    const provider = new AwsProvider(settings, { ...signer, secretAccessKey: "wrong", endpoint: fake.endpoint }, { maxAttempts: 1 });
    await expect(provider.list(pool)).rejects.toThrow(/AuthFailure: the signature does not match the request/);
    expect(fake.violations).toHaveLength(1);
  });

  it("refuses a signature scoped to another region", async () => {
    const provider = new AwsProvider({ ...settings, region: "us-east-1" }, { ...signer, endpoint: fake.endpoint }, { maxAttempts: 1 });
    await expect(provider.list(pool)).rejects.toThrow(/credential scope names region us-east-1, not eu-central-1/);
  });

  it("refuses unsigned requests, unknown parameters and a missing Version", async () => {
    const post = (body: string): Promise<Response> => fetch(fake.endpoint, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body });
    const unsigned = await post("Action=DescribeInstances&Version=2016-11-15");
    expect(unsigned.status).toBe(401);
    expect(await unsigned.text()).toMatch(/<Code>AuthFailure<\/Code>/);
    expect(fake.violations).toHaveLength(1);
    // Signed requests with bad parameters go through the provider's client, which only sends good ones;
    // check the parameter rules directly.
    const { checkParameters } = await import("./params.ts");
    expect(() => checkParameters(new URLSearchParams("Action=RunInstances&Version=2016-11-15&ImageId=ami-0abcdef1234567890&InstanceType=t3.small&MinCount=1&MaxCount=1&Userdata=eA=="))).toThrow(/parameter Userdata is not recognized/);
    expect(() => checkParameters(new URLSearchParams("Action=RunInstances&ImageId=ami-0abcdef1234567890"))).toThrow(/Version must be 2016-11-15/);
    expect(() => checkParameters(new URLSearchParams("Action=RunInstances&Version=2016-11-15&ImageId=ami-0abcdef1234567890&InstanceType=t3.small&MinCount=1&MaxCount=1&ClientToken=" + "x".repeat(65)))).toThrow(/ClientToken must be 1-64 ASCII/);
    expect(() => checkParameters(new URLSearchParams("Action=RunInstances&Version=2016-11-15&InstanceType=t3.small&MinCount=1&MaxCount=1"))).toThrow(/must contain the parameter ImageId/);
  });

  it("answers a repeated client token with other parameters with IdempotentParameterMismatch", async () => {
    const provider = new AwsProvider(settings, { ...signer, endpoint: fake.endpoint }, { maxAttempts: 1 });
    fake.describeLag = true;
    const request = { name: "workers-a", pool, template: { cpu: "2", memory: "4Gi", pods: 110 }, kubernetesVersion: "1.31.2", userData: "one" };
    await provider.create(request);
    await expect(provider.create({ ...request, userData: "two" })).rejects.toThrow(/IdempotentParameterMismatch: .*needs a new name/);
    expect(fake.instances.size).toBe(1);
  });
});
