// The development issuer's HTML: deliberately plain (no scripts, no outside
// fonts or styles) so that it works offline and a program can drive it by
// posting the forms, as loginWithPassword and the tests do.

import { escapeHTML, page } from "../html.ts";

/** The message the login form shows after a wrong user name or password. */
export const invalidCredentialsMessage = "Invalid user name or password";

/** The login form of one interaction; `error` is shown above it. */
export function loginPage(action: string, options: { login?: string; error?: string; clientID: string }): string {
  const error = options.error === undefined ? "" : `<p role="alert">${escapeHTML(options.error)}</p>\n`;
  return page(
    "Sign in to Seedbed",
    `<p>Development issuer, client <code>${escapeHTML(options.clientID)}</code>.</p>
${error}<form method="post" action="${escapeHTML(action)}">
<label>User name <input type="text" name="login" value="${escapeHTML(options.login ?? "")}" autocomplete="username" autofocus required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`,
  );
}

/** The device flow's user-code page; `form` is oidc-provider's form (hidden xsrf, user_code) without a button. */
export function deviceInputPage(form: string, error: boolean): string {
  const message = error ? '<p role="alert">That code is not valid or has expired; try again.</p>' : "<p>Enter the code shown on your device.</p>";
  return page("Device sign-in", `${message}\n${form}\n<button type="submit" form="op.deviceInputForm">Continue</button>`);
}

/** The device flow's confirmation page, showing the code so the user can compare it with the device. */
export function deviceConfirmPage(form: string, userCode: string): string {
  return page(
    "Confirm device",
    `<p>Sign in the device showing the code <code>${escapeHTML(userCode)}</code>?</p>\n${form}\n<button type="submit" form="op.deviceConfirmForm">Continue</button>`,
  );
}

/** The device flow's last page. */
export function deviceSuccessPage(): string {
  return page("Device signed in", "<p>The device is signed in; you can close this page.</p>");
}
