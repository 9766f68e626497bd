import { credentialsObject, optionalString, optionalUrl, requiredString } from "../cloud-credentials.ts";

/** An IAM access key, as the NodePool's credentials Secret holds it. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Only with temporary (STS) keys; such keys expire, so the Secret must be rotated before they do. */
  readonly sessionToken?: string;
  /**
   * Overrides the EC2 endpoint of the region, for EC2-compatible clouds
   * (and for tests). Requests are still signed for service "ec2" in the
   * pool's region.
   */
  readonly endpoint?: string;
}

const cloud = "AWS";
const example = `{"accessKeyId":"AKIA…","secretAccessKey":"…"}`;

/** Parses the Secret's JSON; errors name the field. */
export function parseAwsCredentials(text: string): AwsCredentials {
  const object = credentialsObject(text, cloud, example);
  const accessKeyId = requiredString(object, "accessKeyId", cloud, "the IAM access key ID, AKIA… or ASIA…");
  const secretAccessKey = requiredString(object, "secretAccessKey", cloud, "the secret of that access key");
  const sessionToken = optionalString(object, "sessionToken", cloud, "only for temporary credentials; omit it otherwise");
  const endpoint = optionalUrl(object, "endpoint", cloud, "only for EC2-compatible clouds; omit it for AWS itself");
  return {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken === undefined ? {} : { sessionToken }),
    ...(endpoint === undefined ? {} : { endpoint }),
  };
}
