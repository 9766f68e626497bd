import { execCredential, TokenStore, type TokenSet } from "@seedbed/identity/token";
import { CliError, ExitCode, loginHint } from "../cli-error.ts";
import { credentialsDir, currentLogin, tokensPath } from "../credentials.ts";

/**
 * The kubectl exec credential plugin: prints an ExecCredential with a valid
 * ID token, refreshing (and saving) it when it expires within a minute.
 * kubectl runs it before its requests, so it loads next to nothing: no
 * Kubernetes client, and the OIDC client only for a refresh.
 */
export async function tokenCommand(out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const login = currentLogin();
  if (login === undefined) throw new CliError(`not logged in (no session in ${credentialsDir()}); ${loginHint}`, ExitCode.unauthenticated);
  let tokens: TokenSet;
  try {
    tokens = await new TokenStore({ path: tokensPath(), ...(login.issuerCA === undefined ? {} : { caPEM: login.issuerCA }) }).validToken();
  } catch (error) {
    throw new CliError(`the session of ${login.user} has expired (${(error as Error).message}); ${loginHint}`, ExitCode.unauthenticated);
  }
  out.write(`${JSON.stringify(execCredential(tokens))}\n`);
}
