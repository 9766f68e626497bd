// Local stand-ins for the clouds, for tests of code that uses the providers
// (not part of the product): each checks every request against the cloud's
// documented API and records what it refused in `violations`.
export { FakeEc2, type Ec2Call } from "./aws/fake/ec2.ts";
