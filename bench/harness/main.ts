// How long the test harness takes to start etcd + kube-apiserver (and, with
// --controllers, kube-controller-manager, kube-scheduler and kwok), over
// several sequential runs. Usage: npm run bench -- harness [--runs 5] [--controllers]
import { parseArgs } from "node:util";
import { startKubeAPI } from "@seedbed/testing";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, controllers: { type: "boolean", default: false } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);

const startupMs: number[] = [];
const stopMs: number[] = [];
for (let i = 0; i < runs; i++) {
  const api = await startKubeAPI({ controllers: values.controllers, kwok: values.controllers });
  startupMs.push(api.startupMs);
  const began = performance.now();
  await api.stop();
  stopMs.push(Math.round(performance.now() - began));
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : Math.round(((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2);
};
console.log(
  JSON.stringify({
    benchmark: "harness",
    components: values.controllers ? "etcd,kube-apiserver,kube-controller-manager,kube-scheduler,kwok" : "etcd,kube-apiserver",
    runs,
    startupMsMedian: median(startupMs),
    startupMsMin: Math.min(...startupMs),
    startupMsMax: Math.max(...startupMs),
    stopMsMedian: median(stopMs),
    startupMs,
  }),
);
