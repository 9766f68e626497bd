import type { V1Node } from "@kubernetes/client-node";

/** A cluster's Nodes as its status shows them. */
export interface NodeCounts {
  /** Nodes whose Ready condition is True. */
  readonly ready: number;
  /** Nodes registered. */
  readonly total: number;
}

/** Counts Nodes and the Ready ones among them. */
export function countNodes(nodes: readonly V1Node[]): NodeCounts {
  const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true).length;
  return { ready, total: nodes.length };
}
