import { describe, expect, it } from "vitest";
import { CliError, ExitCode } from "../errors.ts";
import { serveCommand } from "./serve.ts";

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
});
