/**
 * Test support: the EC2 Query API parameters (API version 2016-11-15) of
 * the three actions the provider calls, as the API reference names them:
 * lists are Name.N with N from 1, structures Name.N.Member.
 */

/** A request EC2 refuses; `code` is EC2's error code for it. */
export class Ec2Refusal extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

type Check = (value: string, name: string) => void;

const pattern = (re: RegExp, code = "InvalidParameterValue"): Check => (value, name) => {
  if (!re.test(value)) throw new Ec2Refusal(code, `Value (${value}) for parameter ${name} is invalid`);
};
const integer = (min: number, max: number): Check => (value, name) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new Ec2Refusal("InvalidParameterValue", `Value (${value}) for parameter ${name} must be an integer in ${min}..${max}`);
};
const maxLength = (max: number): Check => (value, name) => {
  if (value.length > max) throw new Ec2Refusal("InvalidParameterValue", `Value for parameter ${name} is longer than ${max} characters`);
};
const userData: Check = (value, name) => {
  // EC2 takes base64 and limits the decoded data to 16 KB.
  if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new Ec2Refusal("InvalidParameterValue", `Invalid BASE64 encoding of user data (${name})`);
  if (Buffer.from(value, "base64").length > 16_384) throw new Ec2Refusal("InvalidParameterValue", "User data is limited to 16384 bytes");
};
const tagKey: Check = (value, name) => {
  maxLength(128)(value, name);
  if (value === "" || value.toLowerCase().startsWith("aws:")) throw new Ec2Refusal("InvalidParameterValue", `Tag key ${value} is empty or uses the reserved aws: prefix`);
};
const ascii64: Check = (value, name) => {
  if (!/^[\x20-\x7e]{1,64}$/.test(value)) throw new Ec2Refusal("InvalidParameterValue", `${name} must be 1-64 ASCII characters`);
};

const rules: Readonly<Record<string, readonly (readonly [RegExp, Check])[]>> = {
  RunInstances: [
    [/^ImageId$/, pattern(/^ami-[0-9a-f]{8,17}$/, "InvalidAMIID.Malformed")],
    [/^InstanceType$/, pattern(/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/)],
    [/^(MinCount|MaxCount)$/, integer(1, 1000)],
    [/^SubnetId$/, pattern(/^subnet-[0-9a-f]{8,17}$/, "InvalidSubnetID.Malformed")],
    [/^SecurityGroupId\.[1-9]\d*$/, pattern(/^sg-[0-9a-f]{8,17}$/, "InvalidGroupId.Malformed")],
    [/^UserData$/, userData],
    [/^ClientToken$/, ascii64],
    [/^TagSpecification\.[1-9]\d*\.ResourceType$/, pattern(/^(instance|volume|network-interface|spot-instances-request)$/)],
    [/^TagSpecification\.[1-9]\d*\.Tag\.[1-9]\d*\.Key$/, tagKey],
    [/^TagSpecification\.[1-9]\d*\.Tag\.[1-9]\d*\.Value$/, maxLength(256)],
    [/^DryRun$/, pattern(/^(true|false)$/)],
  ],
  DescribeInstances: [
    [/^Filter\.[1-9]\d*\.Name$/, maxLength(255)],
    [/^Filter\.[1-9]\d*\.Value\.[1-9]\d*$/, maxLength(255)],
    [/^MaxResults$/, integer(5, 1000)],
    [/^NextToken$/, maxLength(1024)],
    [/^InstanceId\.[1-9]\d*$/, pattern(/^i-[0-9a-f]{8,17}$/, "InvalidInstanceID.Malformed")],
    [/^DryRun$/, pattern(/^(true|false)$/)],
  ],
  TerminateInstances: [
    [/^InstanceId\.[1-9]\d*$/, pattern(/^i-[0-9a-f]{8,17}$/, "InvalidInstanceID.Malformed")],
    [/^DryRun$/, pattern(/^(true|false)$/)],
  ],
};

const required: Readonly<Record<string, readonly string[]>> = {
  // ImageId is optional with a launch template; the provider never uses one.
  RunInstances: ["ImageId", "InstanceType", "MinCount", "MaxCount"],
  DescribeInstances: [],
  TerminateInstances: ["InstanceId.1"],
};

/** The action's parameters, checked: known names only, each well-formed, none twice, the required ones present. */
export function checkParameters(form: URLSearchParams): { action: string; params: Map<string, string> } {
  const action = form.get("Action") ?? "";
  const actionRules = rules[action];
  if (actionRules === undefined) throw new Ec2Refusal("InvalidAction", `The action ${action} is not valid for this web service`);
  if (form.get("Version") !== "2016-11-15") throw new Ec2Refusal("InvalidParameterValue", `Version must be 2016-11-15, got ${form.get("Version") ?? "(none)"}`);
  const params = new Map<string, string>();
  for (const [name, value] of form) {
    if (name === "Action" || name === "Version") continue;
    if (params.has(name)) throw new Ec2Refusal("InvalidParameterCombination", `Parameter ${name} appears twice`);
    const rule = actionRules.find(([re]) => re.test(name));
    if (rule === undefined) throw new Ec2Refusal("UnknownParameter", `The parameter ${name} is not recognized by ${action}`);
    rule[1](value, name);
    params.set(name, value);
  }
  for (const name of required[action] ?? []) {
    if (!params.has(name)) throw new Ec2Refusal("MissingParameter", `The request must contain the parameter ${name}`);
  }
  if (action === "DescribeInstances" && params.has("MaxResults") && params.has("InstanceId.1")) {
    throw new Ec2Refusal("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
  }
  return { action, params };
}

/** The members of list `prefix` (e.g. "SecurityGroupId" or "Filter.1.Value"), in index order. */
export function listOf(params: ReadonlyMap<string, string>, prefix: string): string[] {
  const values: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i++) values.push(params.get(`${prefix}.${i}`) ?? "");
  return values;
}
