// Idle tenant control planes alive at once: memory and idle CPU per tenant,
// and with --find-max how many fit.
//   (default) the local driver, or plain tenants side by side with
//     --compare (local.ts); with --datastore shared, clusters on the local
//     Seed's shared etcd beside clusters with an etcd of their own, in one
//     run (datastore.ts).
//   --seed kubernetes: tenant control planes as real pods of a one-node
//     real seed, measured through the node's pod cgroups (kubernetes.ts).
// Usage: npm run bench -- density [--seed kubernetes] [--clusters N] [--idle-seconds 60] [--settle-seconds 30] [--find-max] [--compare a,b] [--datastore shared [--shared-members 3]]
const seedIndex = process.argv.findIndex((arg) => arg === "--seed" || arg.startsWith("--seed="));
const seedArg = process.argv[seedIndex] ?? "";
const seed = seedIndex < 0 ? undefined : seedArg.includes("=") ? seedArg.slice(seedArg.indexOf("=") + 1) : process.argv[seedIndex + 1];
if (seed !== undefined && seed !== "kubernetes") throw new Error(`--seed: only "kubernetes" is known (a real one-node seed), got ${JSON.stringify(seed)}; leave it out for the local driver`);
// Each variant parses its own flags; the local one is unchanged by the --seed variant.
await import(seed === undefined ? "./local.ts" : "./kubernetes.ts");
