import type { DevIssuer } from "@seedbed/identity";

/** What `seedbed up` prints once everything runs. */
export interface BannerInput {
  readonly seconds: string;
  readonly server: string;
  readonly kubeconfig: string;
  readonly binDir: string;
  readonly home: string;
  readonly logDirs: readonly string[];
  readonly issuerURL: string;
  /** The development issuer, whose users are printed; undefined with the organisation's issuer. */
  readonly devIssuer: DevIssuer | undefined;
  readonly apiURL: string;
  readonly gatewayPort: number;
  /** Whether the dashboard is built (served at the REST API's root). */
  readonly dashboard: boolean;
  /** The development issuer's CA, which a browser must trust (or be told to accept once). */
  readonly issuerCAFile: string | undefined;
}

/**
 * The start-up message: where everything is, the development users and
 * their passwords (this is a development issuer on loopback; a real
 * platform logs in with the organisation's issuer), and the first steps.
 */
export function upBanner(input: BannerInput): string {
  const users = (input.devIssuer?.users ?? []).map((u) => `  ${u.username.padEnd(6)} ${u.email.padEnd(20)} password ${u.password}${u.groups.length > 0 ? `   (groups: ${u.groups.join(", ")})` : ""}`);
  const alice = input.devIssuer?.users.find((u) => u.username === "alice");
  const loginLines = alice
    ? [`Users of the development issuer (projects: a is alice's and carol views it, b is bob's):`, ...users, ``, `Log in, create a cluster and use it as yourself:`, ``, `  npx seedbed login --user alice --password ${alice.password}   # or just \`npx seedbed login\` in a browser`]
    : [`Log in with your organisation's issuer (a platform admin — group seedbed:admins — makes you a member of a project first), create a cluster and use it as yourself:`, ``, `  npx seedbed login   # in a browser; --device on a machine without one`];
  const project = alice ? "a" : "default";
  const certificate = input.issuerCAFile === undefined ? "" : `   (the issuer's certificate: accept it once in the browser, or trust ${input.issuerCAFile})`;
  const dashboard = input.dashboard
    ? `  Dashboard        ${input.apiURL}/${alice ? "   (sign in as alice)" : ""}${certificate}`
    : `  Dashboard        not built: run \`make dashboard\` (make up does it) and start again`;
  return [
    `Seedbed is up (${input.seconds} s).`,
    dashboard,
    `  Management API   ${input.server}`,
    `  REST API         ${input.apiURL}/api/v1   (OpenAPI: ${input.apiURL}/openapi.json)`,
    `  OIDC issuer      ${input.issuerURL}`,
    `  Shared endpoint  https://<cluster>.<project>.seedbed.localhost:${String(input.gatewayPort)}`,
    ``,
    ...loginLines,
    `  npx seedbed cluster create a1 --project ${project} --wait`,
    `  npx seedbed kubeconfig a1 --project ${project} > a1.kubeconfig`,
    `  export PATH=${input.binDir}:$PATH   # the pinned kubectl`,
    `  kubectl --kubeconfig a1.kubeconfig get namespaces`,
    ``,
    `As the platform admin without logging in (\`npx seedbed logout\` returns here):`,
    ``,
    `  export KUBECONFIG=${input.kubeconfig}`,
    `  kubectl get projects,clusters -A`,
    ``,
    `State: ${input.home} (logs in ${input.logDirs.join(" and ")}). Ctrl-C stops everything; make up brings it back.`,
    ``,
  ].join("\n");
}
