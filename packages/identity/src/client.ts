// What a client of an issuer needs (the CLI's login and its exec plugin),
// without the development issuer: `seedbed token` runs on every kubectl
// call and must not load oidc-provider.
export { loginScopes, type IssuerClient, type TokenSet } from "./login/client.ts";
export { loginWithPassword, type PasswordLoginOptions } from "./login/password.ts";
export { loginWithBrowser, type BrowserLoginOptions } from "./login/browser.ts";
export { loginWithDeviceCode, type DeviceCodeLoginOptions, type DeviceCodePrompt } from "./login/device.ts";
export { refreshTokens } from "./login/refresh.ts";
export { InvalidCredentialsError } from "./login/sign-in.ts";
export { TokenStore, refreshMarginSeconds, type Refresher, type TokenStoreOptions } from "./token-store.ts";
export { execCredential, type ExecCredential } from "./exec-credential.ts";
