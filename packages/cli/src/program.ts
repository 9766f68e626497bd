import { Command, CommanderError, Option } from "commander";
import { createCluster } from "./commands/cluster/create.ts";
import { deleteCluster } from "./commands/cluster/delete.ts";
import { getCluster } from "./commands/cluster/get.ts";
import { rollbackCluster } from "./commands/cluster/rollback.ts";
import { certificatesCommand, kubeconfigsCommand } from "./commands/cluster/certificates.ts";
import { rotateCA } from "./commands/cluster/rotate-ca.ts";
import { revokeAgent } from "./commands/cluster/revoke-agent.ts";
import { upgradeCluster } from "./commands/cluster/upgrade.ts";
import { addClusterRegistryCommands } from "./commands/cluster/registry.ts";
import { kubeconfigCommand } from "./commands/kubeconfig.ts";
import type { loginCommand } from "./commands/login.ts";
import { whoamiCommand } from "./commands/whoami.ts";
import { createNodePool, deleteNodePool, listNodePoolsCommand, scaleNodePool } from "./commands/nodepool/commands.ts";
import { createBackup, deleteBackup, listBackupsCommand } from "./commands/backup/commands.ts";
import { verifyBackup } from "./commands/backup/verify.ts";
import { restoreCluster } from "./commands/restore/commands.ts";
import { addUpgradeCommands } from "./commands/upgrade-plan/register.ts";
import { addAddonCommands } from "./commands/addon/register.ts";
import { addPolicyCommands } from "./commands/policy/register.ts";
import type { operatorCommand } from "./commands/operator.ts";
import type { serveCommand } from "./commands/serve.ts";
import { CliError, ExitCode } from "./errors.ts";

const kubeconfigOption = (): Option => new Option("--kubeconfig <path>", "the management API's kubeconfig (default: $SEEDBED_HOME/management.kubeconfig)");
const projectOption = (): Option => new Option("-p, --project <name>", "the project (default: default)");
const outputOption = (): Option => new Option("-o, --output <format>", "json, yaml or table").choices(["json", "yaml", "table", "wide"]);

// The commands that run the platform (up, operator, serve) and those that
// log in are loaded when they run: importing them costs seconds (the
// operator, the REST server, the OIDC libraries), which every other
// command, `cluster create --wait` and the kubectl plugin `token` among
// them, would otherwise wait for.

/** The seedbed command line. Usage errors exit with 2, as the exit codes in errors.ts promise. */
export function program(): Command {
  const root = new Command()
    .name("seedbed")
    .description("Kubernetes-as-a-Service you can run yourself")
    .showHelpAfterError()
    .exitOverride((error: CommanderError) => {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.exitCode === 0) throw new CliError("", ExitCode.ok);
      throw new CliError(error.message.replace(/^error: /, ""), ExitCode.usage);
    });

  root
    .command("up")
    .description("start the platform on this machine, in the foreground (Ctrl-C stops it)")
    .addOption(
      new Option("--seed <seed>", "where tenant control planes run: local processes, or kubernetes: real pods in a one-node Kubernetes seed started on this machine (needs root)")
        .choices(["local", "kubernetes"])
        .default("local"),
    )
    .option("--no-node-address", "keep local tenants' API servers on loopback only (as root they also listen on this machine's address, so that local machines can join)")
    .option("--addon-image-registry <registry>", "a registry mirror the add-ons' images come from (default: seedbed.local, the names under which this machine's local machines import the images built here)")
    .action(async (options: { seed: "local" | "kubernetes"; nodeAddress: boolean; addonImageRegistry?: string }) => {
      const { up } = await import("./commands/up.ts");
      process.exitCode = await up({ seed: options.seed, nodeAddress: options.nodeAddress, ...(options.addonImageRegistry === undefined ? {} : { addonImageRegistry: options.addonImageRegistry }) });
    });

  root
    .command("operator")
    .description("run every controller in the foreground, as the Helm chart does in a pod")
    .option("--driver <driver>", "kubernetes (control planes in seed clusters) or local (processes on this machine)", "kubernetes")
    .option("--leader-elect", "run controllers only while holding the Lease seedbed-operator in $POD_NAMESPACE")
    .option("--metrics-port <port>", "serve /metrics, /healthz and /readyz here", "8080")
    .option("--metrics-host <host>", "address to serve metrics on", "127.0.0.1")
    .option("--log-level <level>", "trace, debug, info, warn or error", "info")
    .option("--state-dir <dir>", "where local control planes keep their files (--driver=local)")
    .option("--unsafe-no-fsync", "local tenants' etcds skip fsync: faster, loses data on a crash; only for throw-away platforms such as benchmarks (--driver=local)")
    .option("--oidc-issuer-url <url>", "the platform's OIDC issuer, trusted by every tenant API server")
    .option("--oidc-client-id <id>", "the audience of the issuer's ID tokens", "seedbed")
    .option("--oidc-ca-file <file>", "PEM of the CA of the issuer's serving certificate (default: the system's roots)")
    .option("--oidc-username-claim <claim>", "the claim that names the user", "email")
    .option("--oidc-groups-claim <claim>", "the claim that lists the user's groups", "groups")
    .option("--shared-endpoint-domain <domain>", "serve every cluster as <cluster>.<project>.<domain> on the SNI gateway too")
    .option("--shared-endpoint-port <port>", "the SNI gateway's port", "6443")
    .option("--image-registry <registry>", "registry of the official control-plane images in kubernetes seeds", "registry.k8s.io")
    .option("--control-plane-image <component=image>", "an image of one control-plane component in kubernetes seeds (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok); {version} stands for the cluster's Kubernetes version; repeatable", (value: string, previous: string[]) => [...previous, value], [])
    .option("--addon-image-registry <registry>", "a registry mirror the add-ons' images (CoreDNS, metrics-server, the dashboard, CNI charts) come from when a Seed names none in spec.imageRegistry, e.g. registry.example.com/mirror")
    .addOption(kubeconfigOption())
    .action(async (options: Parameters<typeof operatorCommand>[0]) => {
      const { operatorCommand } = await import("./commands/operator.ts");
      process.exitCode = await operatorCommand(options);
    });

  root
    .command("serve")
    .description("run the REST API and the SNI gateway in the foreground, as the Helm chart does in a pod")
    .option("--host <address>", "address to listen on; other than loopback only with TLS or --insecure-http", "127.0.0.1")
    .option("--api-port <port>", "the REST API's port", "8443")
    .option("--gateway-port <port>", "the shared endpoint's port (with --shared-endpoint-domain)", "6443")
    .option("--shared-endpoint-domain <domain>", "route <cluster>.<project>.<domain> to each cluster's API server (no gateway without it)")
    .option("--tls-cert-file <file>", "serve the REST API over HTTPS with this certificate (PEM)")
    .option("--tls-key-file <file>", "and this key")
    .option("--insecure-http", "serve plain HTTP on an address other than loopback: only when TLS ends in front of the server (an Ingress, a service mesh)")
    .option("--oidc-issuer-url <url>", "serve the web dashboard at /, logging users in with this issuer (its redirect <this server>/callback and origin allowed for the client)")
    .option("--oidc-client-id <id>", "the issuer's public client for the dashboard", "seedbed")
    .option("--log-level <level>", "trace, debug, info, warn or error", "info")
    .addOption(kubeconfigOption())
    .action(async (options: Parameters<typeof serveCommand>[0]) => {
      const { serveCommand } = await import("./commands/serve.ts");
      process.exitCode = await serveCommand(options);
    });

  const cluster = root.command("cluster").description("create, list, inspect and delete clusters");
  cluster
    .command("create <name>")
    .description("create a cluster in a project")
    .option("--version <version>", "Kubernetes version, e.g. 1.37 or 1.37.1 (default: the template's, then the newest offered)")
    .option("--template <name>", "a ClusterTemplate of the project to start from")
    .option("--seed <name>", "the Seed to host the control plane (spec.seed; default: the default Seed)")
    .addOption(new Option("--region <region>", "let the platform choose a Seed of this region (spec.seedSelector.region): the default Seed if it is there and has room, else the least loaded").conflicts("seed"))
    .option("--nodes <count>", "also create node pool <name>-workers with this many kwok machines")
    .option("--wait", "follow the cluster's progress until it is ready")
    .option("--timeout <duration>", "how long --wait waits, e.g. 90s or 5m", "5m")
    .addOption(projectOption())
    .addOption(kubeconfigOption())
    .action((name: string, options: Parameters<typeof createCluster>[1]) => createCluster(name, options));
  addClusterRegistryCommands(cluster, { kubeconfig: kubeconfigOption, project: projectOption, output: outputOption });
  cluster
    .command("upgrade <name>")
    .description("upgrade a cluster by one minor (spec.version): a pre-upgrade etcd snapshot, then etcd, kube-apiserver, controllers and node pools in the version-skew order")
    .option("--version <version>", "the Kubernetes version to go to: the next minor or the same, e.g. 1.37 or 1.37.1")
    .option("--wait", "follow the upgrade step by step until it is Completed (exits 8 if it Failed)")
    .option("--timeout <duration>", "how long --wait waits, e.g. 90s or 45m", "30m")
    .addOption(projectOption())
    .addOption(kubeconfigOption())
    .action((name: string, options: Parameters<typeof upgradeCluster>[1]) => upgradeCluster(name, options));
  cluster
    .command("rollback <name>")
    .description("undo a cluster's last upgrade: spec.version back to the version it came from; node pools go back, etcd is restored from the pre-upgrade snapshot (what was written since is lost)")
    .option("--yes", "do not ask: confirm in advance (needed where there is no terminal to ask in)")
    .option("--wait", "follow the rollback step by step until it is RolledBack (exits 8 if it Failed)")
    .option("--timeout <duration>", "how long --wait waits, e.g. 90s or 45m", "30m")
    .addOption(projectOption())
    .addOption(kubeconfigOption())
    .action((name: string, options: Parameters<typeof rollbackCluster>[1]) => rollbackCluster(name, options));
  cluster
    .command("rotate-ca <name>")
    .description("rotate a cluster's CAs (cluster, etcd, front-proxy) and service-account key in stages, both trusted in between: Preparing, Prepared (refresh kubeconfigs), Completing, Completed")
    .option("--complete", "complete the Prepared rotation now: the old CAs stop being trusted, and kubeconfigs trusting only them stop working")
    .addOption(projectOption())
    .addOption(kubeconfigOption())
    .action((name: string, options: Parameters<typeof rotateCA>[1]) => rotateCA(name, options));
  cluster
    .command("revoke-agent <name>")
    .description("revoke a cluster's policy-agent credentials: its ServiceAccount is replaced, every token of the old one is refused (within about 10 s, how long the API server caches an authentication), and a new agent starts with a new token")
    .option("--timeout <duration>", "how long to wait for the new identity, e.g. 30s or 2m", "2m")
    .addOption(projectOption())
    .addOption(kubeconfigOption())
    .action((name: string, options: Parameters<typeof revokeAgent>[1]) => revokeAgent(name, options));
  cluster
    .command("certificates <name>")
    .description("show a cluster's CAs (fingerprint, expiry, the previous one during a rotation), leaf expiries, renewal, the CA rotation, and kubeconfigs still trusting only the old CA")
    .addOption(projectOption())
    .addOption(outputOption())
    .addOption(kubeconfigOption())
    .action((name: string, options: Parameters<typeof certificatesCommand>[1]) => certificatesCommand(name, options));
  cluster
    .command("kubeconfigs <name>")
    .description("list the kubeconfigs handed out for a cluster: holder, kind, when, and whether each trusts the current CA")
    .addOption(projectOption())
    .addOption(outputOption())
    .addOption(kubeconfigOption())
    .action((name: string, options: Parameters<typeof kubeconfigsCommand>[1]) => kubeconfigsCommand(name, options));
  cluster.command("get <name>").description("show a cluster: version, upgrade, endpoint, phase, API servers and etcd members, and conditions").addOption(projectOption()).addOption(outputOption()).addOption(kubeconfigOption()).action((name: string, options: Parameters<typeof getCluster>[1]) => getCluster(name, options));
  cluster
    .command("delete <name>")
    .description("delete a cluster, its control plane and its data")
    .option("--wait", "return only once everything is gone")
    .option("--timeout <duration>", "how long --wait waits", "5m")
    .addOption(projectOption())
    .addOption(kubeconfigOption())
    .action((name: string, options: Parameters<typeof deleteCluster>[1]) => deleteCluster(name, options));

  const nodepool = root.command("nodepool").alias("np").description("add, scale, list and remove a cluster's worker machines");
  nodepool
    .command("create <name>")
    .description("create a node pool of a cluster (kwok machines by default)")
    .requiredOption("--cluster <name>", "the cluster the machines join")
    .option("--provider <type>", "kwok: simulated Nodes (the default); local: real kubelets on the platform's machine (a platform started as root); openstack and aws pools are applied as manifests")
    .option("--replicas <count>", "machines to start with (default: --min, else 1)")
    .option("--min <count>", "autoscale: never fewer machines")
    .option("--max <count>", "autoscale: never more machines")
    .option("--cpu <quantity>", "CPUs of each machine, e.g. 2 or 500m (default 2)")
    .option("--memory <quantity>", "memory of each machine, e.g. 4Gi (default 4Gi)")
    .addOption(projectOption())
    .addOption(kubeconfigOption())
    .action((name: string, options: Parameters<typeof createNodePool>[1]) => createNodePool(name, options));
  nodepool
    .command("scale <name>")
    .description("set a node pool's machines; surplus ones are drained first")
    .requiredOption("--replicas <count>", "machines wanted")
    .addOption(projectOption())
    .addOption(kubeconfigOption())
    .action((name: string, options: Parameters<typeof scaleNodePool>[1]) => scaleNodePool(name, options));
  nodepool
    .command("list")
    .alias("ls")
    .description("list a project's node pools")
    .option("--cluster <name>", "only this cluster's pools")
    .addOption(projectOption())
    .addOption(outputOption())
    .addOption(kubeconfigOption())
    .action((options: Parameters<typeof listNodePoolsCommand>[0]) => listNodePoolsCommand(options));
  nodepool
    .command("delete <name>")
    .description("drain and remove a node pool's machines, then the pool")
    .addOption(projectOption())
    .addOption(kubeconfigOption())
    .action((name: string, options: Parameters<typeof deleteNodePool>[1]) => deleteNodePool(name, options));

  const backup = root.command("backup").description("take, list, verify and delete snapshots of a cluster's etcd");
  backup
    .command("create")
    .description("take a snapshot of a cluster's etcd now (an EtcdBackup owned by the cluster: deleting the cluster deletes its backups)")
    .requiredOption("--cluster <name>", "the cluster to back up")
    .option("--name <name>", "the backup's name (default: <cluster>-<UTC yyyymmdd-hhmmss>)")
    .option("--wait", "wait until the snapshot is stored, then print its location, size and revision (exits non-zero if it failed)")
    .option("--timeout <duration>", "how long --wait waits, e.g. 90s or 10m", "10m")
    .addOption(projectOption())
    .addOption(kubeconfigOption())
    .action((options: Parameters<typeof createBackup>[0]) => createBackup(options));
  backup
    .command("list")
    .alias("ls")
    .description("list a project's backups, newest first")
    .option("--cluster <name>", "only this cluster's backups")
    .addOption(projectOption())
    .addOption(outputOption())
    .addOption(kubeconfigOption())
    .action((options: Parameters<typeof listBackupsCommand>[0]) => listBackupsCommand(options));
  backup
    .command("delete <name>")
    .description("delete a backup and its stored snapshot")
    .option("--wait", "return only once the backup and its snapshot are gone")
    .option("--timeout <duration>", "how long --wait waits", "5m")
    .addOption(projectOption())
    .addOption(kubeconfigOption())
    .action((name: string, options: Parameters<typeof deleteBackup>[1]) => deleteBackup(name, options));
  backup
    .command("verify <name>")
    .description("run a restore drill of a backup: the operator restores its snapshot into a scratch etcd, checks it and throws it away (backup list shows the result)")
    .option("--wait", "wait for the drill, then print what it found (exits non-zero if the backup failed it)")
    .option("--timeout <duration>", "how long --wait waits, e.g. 90s or 10m", "10m")
    .addOption(projectOption())
    .addOption(kubeconfigOption())
    .action((name: string, options: Parameters<typeof verifyBackup>[1]) => verifyBackup(name, options));

  root
    .command("restore <cluster>")
    .description("put a cluster's etcd back to a backup (an EtcdRestore): its control plane stops meanwhile, and what was written after the snapshot is gone; a backup of another cluster clones that cluster's data into this one")
    .option("--backup <name>", "the EtcdBackup to restore (default: the cluster's newest completed backup)")
    .option("--name <name>", "the restore's name (default: <cluster>-restore-<UTC yyyymmdd-hhmmss>)")
    .option("--wait", "follow the restore step by step until it is done, then print the revisions (exits non-zero if it failed)")
    .option("--timeout <duration>", "how long --wait waits, e.g. 90s or 15m", "15m")
    .addOption(projectOption())
    .addOption(kubeconfigOption())
    .action((cluster: string, options: Parameters<typeof restoreCluster>[1]) => restoreCluster(cluster, options));

  addUpgradeCommands(root, { kubeconfig: kubeconfigOption, output: outputOption });
  addAddonCommands(root, { kubeconfig: kubeconfigOption, project: projectOption, output: outputOption });
  addPolicyCommands(root, { kubeconfig: kubeconfigOption, project: projectOption, output: outputOption });

  root
    .command("login")
    .description("log in with the platform's OIDC issuer (in the browser, --device, or --user/--password with the development issuer)")
    .option("--user <name>", "log in without a browser as this user of the development issuer (scripts, tests)")
    .option("--password <password>", "the user's password (--password-stdin keeps it out of the process list)")
    .option("--password-stdin", "read the password from standard input")
    .option("--device", "the device flow: enter a code on any device with a browser")
    .option("--issuer <url>", "the OIDC issuer (default: the platform `make up` runs here)")
    .option("--client-id <id>", "the issuer's client id for Seedbed", "seedbed")
    .option("--issuer-ca <file>", "PEM of the issuer's CA, when it is not a public one")
    .option("--server <url>", "the management API (default: the platform `make up` runs here)")
    .option("--server-ca <file>", "PEM of the management API's CA")
    .action(async (options: Parameters<typeof loginCommand>[0]) => (await import("./commands/login.ts")).loginCommand(options));
  root.command("logout").description("forget the login; later commands use the admin kubeconfig of `make up` again").action(async () => {
    (await import("./commands/login.ts")).logoutCommand();
  });
  root
    .command("token")
    .description("print an ExecCredential with your ID token: the kubectl exec credential plugin of Seedbed kubeconfigs")
    .option("--project <name>", "with --cluster and --ca-file: the project of the cluster whose CA file to keep current through a CA rotation")
    .option("--cluster <name>", "the cluster whose CA bundle (status.certificateAuthority) the file holds")
    .option("--ca-file <path>", "the kubeconfig's certificate-authority file, rewritten when the cluster's bundle differs (at most once a minute)")
    .action(async (options: { project?: string; cluster?: string; caFile?: string }) => {
      const [{ tokenCommand }, { tokenTarget }] = await Promise.all([import("./commands/token.ts"), import("./cluster-ca/target.ts")]);
      await tokenCommand(tokenTarget(options));
    });
  root.command("whoami").description("the user and groups the management API sees you as").addOption(kubeconfigOption()).action((options: Parameters<typeof whoamiCommand>[0]) => whoamiCommand(options));

  root
    .command("kubeconfig <cluster>")
    .description("print a cluster's kubeconfig, or merge it into ~/.kube/config: it logs in as whoever uses it (`seedbed token`, their own `seedbed login`), so a team on this machine can share it (elsewhere: --embed-ca); needs a login, or --admin")
    .option("--merge", "merge into ~/.kube/config (or the first file of $KUBECONFIG) and make it the current context")
    .option("--admin", "the certificate-based admin kubeconfig instead (project owners only; it is a long-lived credential)")
    .option("--embed-ca", "carry the CA in the file instead of naming this machine's CA file (which `seedbed token` keeps current through a CA rotation): for use on another machine; it stops working when a CA rotation completes")
    .addOption(projectOption())
    .addOption(kubeconfigOption())
    .action((name: string, options: Parameters<typeof kubeconfigCommand>[1]) => kubeconfigCommand(name, options));

  return root;
}
