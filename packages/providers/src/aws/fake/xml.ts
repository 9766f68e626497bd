/**
 * Test support: EC2 Query API replies, shaped as the EC2 API reference's
 * examples (namespace http://ec2.amazonaws.com/doc/2016-11-15/, lists as
 * <item> elements, errors in <Response><Errors>).
 */

/** An instance as the fake keeps it. */
export interface FakeInstance {
  readonly id: string;
  readonly reservationId: string;
  state: "pending" | "running" | "shutting-down" | "terminated" | "stopping" | "stopped";
  readonly zone: string;
  readonly privateIp: string;
  readonly launchTime: Date;
  readonly imageId: string;
  readonly instanceType: string;
  readonly subnetId: string;
  readonly securityGroupIds: readonly string[];
  readonly userData: string;
  readonly clientToken: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Not yet shown by DescribeInstances (EC2 is eventually consistent). */
  hidden: boolean;
}

const namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";
const stateCodes: Readonly<Record<FakeInstance["state"], number>> = { pending: 0, running: 16, "shutting-down": 32, terminated: 48, stopping: 64, stopped: 80 };

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function state(tag: string, name: FakeInstance["state"]): string {
  return `<${tag}><code>${stateCodes[name]}</code><name>${name}</name></${tag}>`;
}

function instanceXml(i: FakeInstance): string {
  const dns = `ip-${i.privateIp.replaceAll(".", "-")}.ec2.internal`;
  const groups = i.securityGroupIds.map((g) => `<item><groupId>${g}</groupId><groupName>${g}-name</groupName></item>`).join("");
  const tags = Object.entries(i.tags).map(([k, v]) => `<item><key>${escape(k)}</key><value>${escape(v)}</value></item>`).join("");
  return `<item><instanceId>${i.id}</instanceId><imageId>${i.imageId}</imageId>${state("instanceState", i.state)}`
    + `<privateDnsName>${i.state === "terminated" ? "" : dns}</privateDnsName><dnsName/><reason/><amiLaunchIndex>0</amiLaunchIndex><productCodes/>`
    + `<instanceType>${escape(i.instanceType)}</instanceType><launchTime>${i.launchTime.toISOString()}</launchTime>`
    + `<placement><availabilityZone>${i.zone}</availabilityZone><groupName/><tenancy>default</tenancy></placement>`
    + `<monitoring><state>disabled</state></monitoring><subnetId>${i.subnetId}</subnetId><vpcId>vpc-0a1b2c3d4e5f60718</vpcId>`
    + `<privateIpAddress>${i.privateIp}</privateIpAddress><sourceDestCheck>true</sourceDestCheck><groupSet>${groups}</groupSet>`
    + `<architecture>x86_64</architecture><rootDeviceType>ebs</rootDeviceType><rootDeviceName>/dev/xvda</rootDeviceName>`
    + `<virtualizationType>hvm</virtualizationType><clientToken>${escape(i.clientToken)}</clientToken><tagSet>${tags}</tagSet>`
    + `<hypervisor>xen</hypervisor><ebsOptimized>false</ebsOptimized></item>`;
}

function reservationBody(instances: readonly FakeInstance[]): string {
  return `<reservationId>${instances[0]?.reservationId ?? ""}</reservationId><ownerId>123456789012</ownerId><groupSet/>`
    + `<instancesSet>${instances.map(instanceXml).join("")}</instancesSet>`;
}

export function runInstancesXml(requestId: string, instances: readonly FakeInstance[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<RunInstancesResponse xmlns="${namespace}"><requestId>${requestId}</requestId>${reservationBody(instances)}</RunInstancesResponse>`;
}

export function describeInstancesXml(requestId: string, reservations: readonly (readonly FakeInstance[])[], nextToken: string | undefined): string {
  const set = reservations.map((r) => `<item>${reservationBody(r)}</item>`).join("");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse xmlns="${namespace}"><requestId>${requestId}</requestId>`
    + `${set === "" ? "<reservationSet/>" : `<reservationSet>${set}</reservationSet>`}${nextToken === undefined ? "" : `<nextToken>${nextToken}</nextToken>`}</DescribeInstancesResponse>`;
}

export function terminateInstancesXml(requestId: string, changes: readonly { id: string; previous: FakeInstance["state"]; current: FakeInstance["state"] }[]): string {
  const items = changes.map((c) => `<item><instanceId>${c.id}</instanceId>${state("currentState", c.current)}${state("previousState", c.previous)}</item>`).join("");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<TerminateInstancesResponse xmlns="${namespace}"><requestId>${requestId}</requestId><instancesSet>${items}</instancesSet></TerminateInstancesResponse>`;
}

export function errorXml(requestId: string, code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escape(code)}</Code><Message>${escape(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
}
