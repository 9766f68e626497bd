import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { InvalidCredentialsError, loginWithBrowser, loginWithDeviceCode, loginWithPassword, TokenStore, type TokenSet } from "@seedbed/identity/client";
import { buildExecKubeconfig } from "@seedbed/pki";
import { credentialsDir, currentLogin, loginRecordPath, managementKubeconfigOf, sessionTokenPlugin, tokensPath, type LoginRecord } from "../credentials.ts";
import { CliError, ExitCode } from "../errors.ts";
import { seedbedHome } from "../home.ts";
import { readPlatformFile } from "../up/platform-file.ts";

/** Options of `seedbed login`. */
export interface LoginOptions {
  readonly user?: string;
  readonly password?: string;
  readonly passwordStdin?: boolean;
  readonly device?: boolean;
  readonly issuer?: string;
  readonly clientId?: string;
  readonly issuerCa?: string;
  readonly server?: string;
  readonly serverCa?: string;
}

/** Where to log in: the command line, else the platform `seedbed up` runs here. */
function target(options: LoginOptions): { issuerURL: string; clientID: string; issuerCA?: string; managementServer: string; managementCA: string } {
  const platform = readPlatformFile(seedbedHome());
  const issuerURL = options.issuer ?? platform?.issuerURL;
  const managementServer = options.server ?? platform?.managementServer;
  const managementCA = options.serverCa === undefined ? platform?.managementCA : readFileSync(options.serverCa, "utf8");
  if (issuerURL === undefined || managementServer === undefined || managementCA === undefined) {
    throw new CliError("no platform to log in to: start one here with `make up`, or name it with --issuer <url> --server <url> --server-ca <file>", ExitCode.usage);
  }
  const issuerCA = options.issuerCa === undefined ? (options.issuer === undefined ? platform?.issuerCA : undefined) : readFileSync(options.issuerCa, "utf8");
  return { issuerURL, clientID: options.clientId ?? platform?.clientID ?? "seedbed", ...(issuerCA === undefined ? {} : { issuerCA }), managementServer, managementCA };
}

/**
 * Logs in with the platform's OIDC issuer and keeps a refreshable token in
 * $SEEDBED_CREDENTIALS (0600): in the browser (auth code with PKCE on a
 * loopback redirect), with --device on any other device, or with
 * --user/--password against the development issuer, for scripts.
 */
export async function loginCommand(options: LoginOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const where = target(options);
  const issuer = { issuerURL: where.issuerURL, clientID: where.clientID, ...(where.issuerCA === undefined ? {} : { caPEM: where.issuerCA }) };
  let tokens: TokenSet;
  try {
    tokens = await obtainTokens(options, issuer, out);
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (error instanceof InvalidCredentialsError) throw new CliError(error.message, ExitCode.forbidden);
    throw new CliError(`login failed: ${(error as Error).message}`, ExitCode.unreachable);
  }
  const claims = claimsOf(tokens.idToken);
  const user = claims.email ?? claims.sub ?? "unknown";
  mkdirSync(credentialsDir(), { recursive: true, mode: 0o700 });
  await new TokenStore({ path: tokensPath() }).save(tokens);
  // The management API as this user, through the token plugin: for this CLI and for kubectl.
  const kubeconfig = managementKubeconfigOf(credentialsDir());
  writeFileSync(kubeconfig, buildExecKubeconfig({ clusterName: "seedbed", server: where.managementServer, certificateAuthorityPem: where.managementCA, userName: user, exec: sessionTokenPlugin() }), { mode: 0o600 });
  // Last: the record is what makes the CLI act as the user.
  const record: LoginRecord = { user, ...(where.issuerCA === undefined ? {} : { issuerCA: where.issuerCA }) };
  writeFileSync(loginRecordPath(), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  out.write(`Logged in as ${user}. Commands now act as you on ${where.managementServer}; \`seedbed logout\` goes back to the admin kubeconfig.\nkubectl as ${user}: export KUBECONFIG=${kubeconfig}\n`);
}

async function obtainTokens(options: LoginOptions, issuer: { issuerURL: string; clientID: string; caPEM?: string }, out: NodeJS.WritableStream): Promise<TokenSet> {
  if (options.user !== undefined) {
    const password = options.passwordStdin === true ? readFileSync(0, "utf8").trim() : options.password;
    if (password === undefined) throw new CliError("--user needs --password or --password-stdin", ExitCode.usage);
    return loginWithPassword({ ...issuer, caPEM: issuer.caPEM ?? "", username: options.user, password });
  }
  if (options.device === true) {
    return loginWithDeviceCode({
      ...issuer,
      caPEM: issuer.caPEM ?? "",
      onCode: (prompt) => {
        out.write(`Open ${prompt.verificationURI} on any device and enter the code ${prompt.userCode}\n`);
      },
    });
  }
  return loginWithBrowser({
    ...issuer,
    openURL: (url) => {
      out.write(`Opening your browser to log in; if it does not open, visit:\n  ${url}\n`);
      // Best effort: a machine without a desktop just shows the URL above.
      spawn("xdg-open", [url], { stdio: "ignore", detached: true }).on("error", () => undefined).unref();
    },
  });
}

/** The claims of a JWT, decoded without verifying: only to name the user to them. */
function claimsOf(jwt: string): { email?: string; sub?: string } {
  const payload = jwt.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { email?: string; sub?: string };
}

/** Forgets the session: later commands use the admin kubeconfig again (where there is one). */
export function logoutCommand(out: NodeJS.WritableStream = process.stdout): void {
  const login = currentLogin();
  rmSync(credentialsDir(), { recursive: true, force: true });
  out.write(login === undefined ? "Not logged in.\n" : `Logged out ${login.user}.\n`);
}
