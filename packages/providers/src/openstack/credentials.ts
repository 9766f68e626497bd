import { credentialsObject, optionalString, optionalUrl, requiredString } from "../cloud-credentials.ts";

/** Keystone v3 password credentials of one project, as the NodePool's credentials Secret holds them. */
export interface OpenStackCredentials {
  /** Keystone's URL, with or without the trailing /v3 (clouds.yaml and OS_AUTH_URL use both). */
  readonly authURL: string;
  readonly username: string;
  readonly password: string;
  readonly projectName: string;
  readonly userDomainName: string;
  readonly projectDomainName: string;
  /** Picks the compute and network endpoints of the catalog; clouds with one region still name it (often RegionOne). */
  readonly region: string;
}

const cloud = "OpenStack";
const example = `{"authURL":"https://keystone.example.com:5000/v3","username":"seedbed","password":"…","projectName":"k8s","region":"RegionOne"}`;

/**
 * Parses the Secret's JSON. userDomainName and projectDomainName default to
 * "Default", the domain of clouds that have one; the rest is required.
 */
export function parseOpenStackCredentials(text: string): OpenStackCredentials {
  const object = credentialsObject(text, cloud, example);
  const authURL = optionalUrl(object, "authURL", cloud, "Keystone's URL, the OS_AUTH_URL of the project's openrc file");
  if (authURL === undefined) {
    throw new Error(`${cloud} credentials lack "authURL": add Keystone's URL (OS_AUTH_URL of the openrc file) to the Secret's JSON`);
  }
  return {
    authURL,
    username: requiredString(object, "username", cloud, "the OS_USERNAME of the openrc file"),
    password: requiredString(object, "password", cloud, "the OS_PASSWORD of the openrc file"),
    projectName: requiredString(object, "projectName", cloud, "the OS_PROJECT_NAME the machines are made in"),
    userDomainName: optionalString(object, "userDomainName", cloud, "OS_USER_DOMAIN_NAME; omit it for \"Default\"") ?? "Default",
    projectDomainName: optionalString(object, "projectDomainName", cloud, "OS_PROJECT_DOMAIN_NAME; omit it for \"Default\"") ?? "Default",
    region: requiredString(object, "region", cloud, "the OS_REGION_NAME whose compute and network endpoints to use, e.g. RegionOne"),
  };
}
