// Create to Ready, beside the floor of the same components in the same run.
//   (default) the local driver: `seedbed up` and `seedbed cluster create
//     --wait`, beside etcd and kube-apiserver started by a plain script
//     (local.ts).
//   --seed kubernetes: a Cluster applied to a management API until Ready
//     with its control plane as real pods of a one-node real seed, beside
//     the same pods applied with `kubectl apply -f` (kubernetes.ts).
// Usage: npm run bench -- create-ready [--seed kubernetes] [--runs 5] [--warmup 1] [--poll-ms …]
const seedIndex = process.argv.findIndex((arg) => arg === "--seed" || arg.startsWith("--seed="));
const seedArg = process.argv[seedIndex] ?? "";
const seed = seedIndex < 0 ? undefined : seedArg.includes("=") ? seedArg.slice(seedArg.indexOf("=") + 1) : process.argv[seedIndex + 1];
if (seed !== undefined && seed !== "kubernetes") throw new Error(`--seed: only "kubernetes" is known (a real one-node seed), got ${JSON.stringify(seed)}; leave it out for the local driver`);
// Each variant parses its own flags; the local one is unchanged by the --seed variant.
await import(seed === undefined ? "./local.ts" : "./kubernetes.ts");
