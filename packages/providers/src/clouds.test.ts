import { describe, expect, it } from "vitest";
import { AwsProvider, cloudProvider, OpenStackProvider } from "./cloud-index.ts";

const openstack = { flavor: "m1.medium", image: "ubuntu", network: "private" };
const aws = { region: "eu-central-1", instanceType: "m6i.large", ami: "ami-0abcdef1234567890", subnetID: "subnet-0123456789abcdef0" };
const openstackCredentials = JSON.stringify({ authURL: "https://keystone.example.com/v3", username: "u", password: "p", projectName: "k8s", region: "RegionOne" });

describe("cloudProvider", () => {
  it("builds the provider of the pool's type from its spec.provider and Secret text", () => {
    const os = cloudProvider("openstack", { openstack }, openstackCredentials);
    expect(os).toBeInstanceOf(OpenStackProvider);
    expect(os.type).toBe("openstack");
    const ec2 = cloudProvider("aws", { aws }, `{"accessKeyId":"AKIA1","secretAccessKey":"s"}`);
    expect(ec2).toBeInstanceOf(AwsProvider);
    expect(ec2.type).toBe("aws");
  });

  it("names what is missing", () => {
    expect(() => cloudProvider("openstack", { aws }, openstackCredentials)).toThrow(/needs provider.openstack/);
    expect(() => cloudProvider("aws", { openstack }, `{"accessKeyId":"AKIA1","secretAccessKey":"s"}`)).toThrow(/needs provider.aws/);
    expect(() => cloudProvider("aws", { aws }, `{"accessKeyId":"AKIA1"}`)).toThrow(/lack "secretAccessKey"/);
  });
});
