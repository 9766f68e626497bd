// What the browser tests need from `seedbed up`'s start-up message: where
// the dashboard and the REST API are, and the development users' passwords.
// Reading the banner (not the issuer's files) tests what a newcomer reads.

/** The parts of `seedbed up`'s banner a browser test uses. */
export interface UpBanner {
  /** The `Dashboard  http://…/` line's URL, undefined when the banner has none. */
  readonly dashboardURL: string | undefined;
  /** The REST API's origin (the `REST API  <origin>/api/v1` line). */
  readonly apiURL: string | undefined;
  /** Each development user's password, by user name. */
  readonly passwords: ReadonlyMap<string, string>;
}

const dashboardLine = /^\s*Dashboard\s+(https?:\/\/\S+)/m;
const restLine = /^\s*REST API\s+(https?:\/\/\S+?)\/api\/v1\b/m;
/** `  alice  alice@example.com    password <pw>   (groups: …)` */
const userLine = /^\s+(\S+)\s+\S+@\S+\s+password (\S+)/gm;

/** Reads the dashboard URL, the REST API's origin and the users' passwords out of the banner. */
export function parseUpBanner(text: string): UpBanner {
  const passwords = new Map<string, string>();
  for (const match of text.matchAll(userLine)) {
    const [, user, password] = match;
    if (user !== undefined && password !== undefined) passwords.set(user, password);
  }
  return { dashboardURL: dashboardLine.exec(text)?.[1], apiURL: restLine.exec(text)?.[1], passwords };
}
