import { FormSession, formsOf, type Page } from "./form-session.ts";
import { fetchTrusting } from "./http.ts";

/** What to type into the development issuer's pages. */
export interface SignInInput {
  /** The page to start from: an authorization URL, or the device flow's verification URI. */
  readonly url: string | URL;
  /** The issuer's CA, for https. */
  readonly caPEM?: string;
  readonly username: string;
  readonly password: string;
  /** For the device flow's user-code page. */
  readonly userCode?: string;
  /** Stop before following a redirect to a location this accepts (the client's redirect URI). */
  readonly stopAt?: (location: URL) => boolean;
}

/** The error of a rejected password, matched by callers and tests. */
export class InvalidCredentialsError extends Error {
  constructor(username: string) {
    super(`login failed for ${username}: invalid user name or password`);
    this.name = "InvalidCredentialsError";
  }
}

/** Pages one sign-in may pass through: user code, confirmation, login, then the result. */
const maxSteps = 8;

/**
 * Signs in through the development issuer's own HTML pages, as a person
 * with a browser would: fills the user code and the login form, submits
 * any other form as it is (confirmations, form_post pages) and follows
 * redirects. Returns the redirect location `stopAt` accepted, or the last
 * page (one without a form, such as the device flow's success page).
 */
export async function signInOverHTTP(input: SignInInput): Promise<URL | Page> {
  const session = new FormSession(fetchTrusting(input.caPEM));
  let result = await session.navigate(new URL(input.url), {}, input.stopAt);
  for (let step = 0; step < maxSteps; step++) {
    if (result instanceof URL) return result;
    const form = formsOf(result)[0];
    if (result.status === 401 && form?.fields.has("password") === true) throw new InvalidCredentialsError(input.username);
    if (result.status >= 400) throw new Error(`sign-in failed: ${result.url.origin}${result.url.pathname} answered ${result.status}: ${titleOf(result)}`);
    if (form === undefined) return result;
    if (form.fields.has("password")) {
      form.fields.set("login", input.username);
      form.fields.set("password", input.password);
    } else if (form.fields.get("user_code") === "") {
      if (input.userCode === undefined) throw new Error("the issuer asks for a user code and none was given");
      form.fields.set("user_code", input.userCode);
    }
    result = await session.submit(form, input.stopAt);
  }
  throw new Error(`sign-in did not finish within ${maxSteps} pages`);
}

function titleOf(page: Page): string {
  return /<title>([^<]*)<\/title>/i.exec(page.html)?.[1]?.trim() ?? "(no title)";
}
