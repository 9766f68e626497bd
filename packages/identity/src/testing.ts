// Helpers for tests of anything that trusts the development issuer:
// signing in over HTTP without a browser, and tokens with one flaw.
export { signInOverHTTP, InvalidCredentialsError, type SignInInput } from "./login/sign-in.ts";
export type { Page } from "./login/form-session.ts";
export { signTestToken, type TestTokenInput } from "./test-tokens.ts";
export { readSigningKeys } from "./issuer/state.ts";
