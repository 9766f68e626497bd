import { Counter, Gauge, type Registry } from "prom-client";

/** Why an agent got a new token. */
export type TokenIssueReason = "start" | "renewal" | "revoke" | "newAccount";

/** The policy-agent host's metrics: agents running and the tokens issued to them. */
export class PolicyAgentMetrics {
  readonly #rotations: Counter<"reason">;

  /** Registers the metrics; `running` is read at each scrape. */
  constructor(registry: Registry, running: () => number) {
    const registers = [registry];
    new Gauge({
      name: "seedbed_policy_agents",
      help: "Policy agent processes this operator runs (one per cluster a ClusterPolicy selects).",
      registers,
      collect() {
        this.set(running());
      },
    });
    this.#rotations = new Counter({ name: "seedbed_policy_agent_token_rotations_total", help: "Management-API tokens issued to policy agents, by reason: start (operator or agent start), renewal (at 80 % of the lifetime), revoke, newAccount (the ServiceAccount was replaced).", labelNames: ["reason"], registers });
  }

  /** One token issued. */
  tokenIssued(reason: TokenIssueReason): void {
    this.#rotations.inc({ reason });
  }
}
