// The exec plugin's part of the identity package: the token store and the
// ExecCredential, without the issuer or the login flows (openid-client is
// loaded only when a token must be refreshed).
export { TokenStore, refreshMarginSeconds, type Refresher, type TokenStoreOptions } from "./token-store.ts";
export { execCredential, type ExecCredential } from "./exec-credential.ts";
export type { TokenSet } from "./login/client.ts";
