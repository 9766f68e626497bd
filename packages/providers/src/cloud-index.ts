// The public surface of the cloud providers; index.ts re-exports it.
export { cloudProvider, type CloudProviderOptions, type CloudSettings } from "./clouds.ts";
export { parseOpenStackCredentials, type OpenStackCredentials } from "./openstack/credentials.ts";
export { OpenStackApiError } from "./openstack/http.ts";
export { OpenStackProvider, type OpenStackProviderOptions } from "./openstack/provider.ts";
export type { OpenStackSettings } from "./openstack/resolve.ts";
export { parseAwsCredentials, type AwsCredentials } from "./aws/credentials.ts";
export { AwsProvider, type AwsProviderOptions, type AwsSettings } from "./aws/provider.ts";
