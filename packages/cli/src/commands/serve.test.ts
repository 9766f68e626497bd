import { describe, expect, it } from "vitest";
import { CliError, ExitCode } from "../errors.ts";
import { serveCommand, serveDashboard } from "./serve.ts";

describe("seedbed serve", () => {
  const base = { apiPort: "0", gatewayPort: "0", logLevel: "silent", kubeconfig: "/nonexistent/kubeconfig" };

  it.each(["0.0.0.0", "::", "10.0.0.7"])("refuses plain HTTP on %s before anything starts, naming the flags that fix it (exit 2)", async (host) => {
    const refused = serveCommand({ ...base, host });
    await expect(refused).rejects.toBeInstanceOf(CliError);
    await expect(refused).rejects.toMatchObject({ exitCode: ExitCode.usage });
    await expect(refused).rejects.toThrow(`--host=${host}: refusing to serve plain HTTP on ${host}: callers' bearer tokens would cross the network in clear; serve HTTPS with --tls-cert-file and --tls-key-file`);
    await expect(refused).rejects.toThrow(/--host=127\.0\.0\.1 \(the default\).*--insecure-http only when TLS ends in front/);
  });

  it("goes on with TLS or --insecure-http off loopback, and on loopback without either (then fails on the missing kubeconfig)", async () => {
    for (const options of [{ host: "0.0.0.0", tlsCertFile: "/nonexistent/c", tlsKeyFile: "/nonexistent/k" }, { host: "0.0.0.0", insecureHttp: true }, { host: "127.0.0.1" }]) {
      await expect(serveCommand({ ...base, ...options })).rejects.not.toThrow(/refusing/);
    }
  });

  it("serves the dashboard only when an issuer is named, refusing a plain-HTTP issuer or a missing build by name", () => {
    expect(serveDashboard({}, true)).toBeUndefined();
    expect(serveDashboard({ oidcIssuerUrl: "https://dex.example.com" }, true)).toMatchObject({ issuerURL: "https://dex.example.com", clientID: "seedbed" });
    expect(serveDashboard({ oidcIssuerUrl: "https://dex.example.com", oidcClientId: "k8s" }, true)?.clientID).toBe("k8s");
    expect(() => serveDashboard({ oidcIssuerUrl: "http://dex.example.com" }, true)).toThrow('--oidc-issuer-url must be an https:// URL, got "http://dex.example.com"');
    expect(() => serveDashboard({ oidcIssuerUrl: "https://dex.example.com" }, false)).toThrow(/not built at .*packages\/dashboard\/dist: run `make dashboard`/);
  });
});
