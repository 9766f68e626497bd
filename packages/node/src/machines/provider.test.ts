import { describe, expect, it } from "vitest";
import { machinePhase } from "./provider.ts";
import type { MachineState } from "./records.ts";

const running: MachineState = { phase: "Running", pid: 10, address: "10.243.1.2", containerd: { pid: 20, startTime: "555" } };
const alive = (): boolean => true;
const dead = (): boolean => false;

describe("machinePhase", () => {
  it.each([
    ["no report yet, agent starting", undefined, true, alive, { phase: "Pending" }],
    ["no report and no agent: its agent is about to be started", undefined, false, alive, { phase: "Pending" }],
    ["joining", { phase: "Joining", pid: 10 }, true, alive, { phase: "Pending" }],
    ["joined, agent gone, containerd running", running, false, alive, { phase: "Running" }],
    ["joined, containerd gone", running, false, dead, { phase: "Failed", message: "the machine's containerd is gone (the machine stopped or crashed)" }],
    ["failed, with the agent's reason", { phase: "Failed", pid: 10, message: "the cluster refused the bootstrap token" }, false, alive, { phase: "Failed", message: "the cluster refused the bootstrap token" }],
    ["the agent died while joining", { phase: "Joining", pid: 10 }, false, alive, { phase: "Failed", message: "its agent exited before the machine joined; see agent.log in the machine's directory" }],
  ] as const)("%s", (_title, state, agentAlive, processAlive, expected) => {
    expect(machinePhase(state, agentAlive, processAlive)).toEqual(expected);
  });

  it("checks containerd by pid and start time, so a reused pid is not the machine", () => {
    const seen: [number, string][] = [];
    machinePhase(running, false, (pid, startTime) => (seen.push([pid, startTime]), true));
    expect(seen).toEqual([[20, "555"]]);
  });
});
