// The public API of @seedbed/agent: the policy agent of one cluster and the pure parts it is built from.
export { PolicyAgent, type PolicyAgentOptions, type PolicyAgentStats } from "./agent.ts";
export { renderPolicy, mergeConflictRules, defaultConflictRules, policyIdentity, type ConflictRules, type DesiredObject, type TenantObject, type PolicyIdentity } from "./render.ts";
export { decide, fieldConflictMessage, type Decision, type DecisionInput, type LiveObject } from "./conflicts.ts";
export { isSubset } from "./compare.ts";
export { inventoryConfigMap, parseInventory, subtractRefs, unionRefs, sameInventory, type Inventory } from "./inventory.ts";
export { refKey, type ObjectRef } from "./object-ref.ts";
export { agentFieldManager } from "./tenant.ts";
