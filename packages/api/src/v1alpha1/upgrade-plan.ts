import Type from "typebox";
import { ageColumn, phaseColumn, type KindDefinition } from "../crd/definition.ts";
import { described, LabelSelector, StatusOf } from "../schema/common.ts";
import { maxNameLength, referenceRule } from "../schema/names.ts";
import { Duration, StringEnum } from "../schema/primitives.ts";
import type { ResourceOf } from "../schema/resource.ts";
import { kubernetesVersionRules } from "../schema/rules.ts";

/** A wave's size: a count of clusters, or a percentage of those the plan selected ("25%"). */
const WaveSize = Type.String({
  maxLength: 8,
  default: "25%",
  description: "Clusters per wave after the canary: a number (\"3\") or a percentage of the clusters the plan selected (\"25%\", rounded up, at least one).",
  "x-kubernetes-validations": [{ rule: "self.matches('^[1-9][0-9]{0,3}$') || self.matches('^([1-9][0-9]?|100)%$')", messageExpression: "'must be a count such as \"3\" or a percentage such as \"25%\" (1% to 100%); got \\'' + self + '\\''" }],
});

/** What the plan upgrades, and how. */
export const UpgradePlanSpec = Type.Object({
  version: Type.String({ maxLength: 16, description: "The version to move the selected clusters to (one minor above theirs at most; clusters already there are counted as upgraded).", "x-kubernetes-validations": kubernetesVersionRules({ downgrades: false }) }),
  clusterSelector: Type.Optional(described(LabelSelector, "Clusters whose labels match (all when left out).")),
  projects: Type.Optional(Type.Array(Type.String({ maxLength: 63, "x-kubernetes-validations": [referenceRule("a Project")] }), { maxItems: 256, "x-kubernetes-list-type": "set", description: "Only clusters of these projects (all projects when left out)." })),
  canary: Type.Integer({ minimum: 0, maximum: 100, default: 1, description: "Clusters upgraded alone first, in the first wave (0: no canary wave)." }),
  batchSize: WaveSize,
  soak: Duration({ default: "5m", description: "How long every cluster of a wave must stay healthy after its upgrade before the next wave starts: Ready, Upgrade completed, every Node Ready, and no control-plane restart." }),
  maxFailures: Type.Integer({ minimum: 1, maximum: 10000, default: 1, description: "The plan halts (phase Halted) once this many clusters have failed their upgrade or their health gate; no new wave starts." }),
  onFailure: StringEnum(["Halt", "Rollback"], { default: "Halt", description: "What happens to a cluster that fails: Halt leaves it as it is for a person to look at; Rollback rolls it back to its version before the plan (with the pre-upgrade snapshot)." }),
  paused: Type.Boolean({ default: false, description: "No new cluster starts upgrading while true; upgrades under way finish." }),
}, {
  "x-kubernetes-validations": [
    { rule: "self.version == oldSelf.version", message: "spec.version of an UpgradePlan cannot change: create a new plan for another version", fieldPath: ".version" },
  ],
});

/** Where one selected cluster stands in the plan. */
export const upgradePlanClusterStates = ["Pending", "WaitingForWindow", "Upgrading", "Soaking", "Upgraded", "Failed", "RolledBack"] as const;

/** One selected cluster in the plan's status. */
export const UpgradePlanCluster = Type.Object({
  namespace: Type.String({ maxLength: 63 }),
  name: Type.String({ maxLength: 63 }),
  wave: Type.Integer({ minimum: 0, description: "0 is the canary wave (when there is one)." }),
  state: StringEnum(upgradePlanClusterStates),
  from: Type.Optional(Type.String({ maxLength: 16, description: "The version the cluster ran when the plan started it." })),
  message: Type.Optional(Type.String({ maxLength: 1024 })),
  startedTime: Type.Optional(Type.String({ format: "date-time" })),
  upgradedTime: Type.Optional(Type.String({ format: "date-time" })),
});

/** An UpgradePlan's phases. */
export const upgradePlanPhases = ["Pending", "Progressing", "Soaking", "Paused", "Halted", "Completed"] as const;

/** How the plan goes. */
export const UpgradePlanStatus = StatusOf(upgradePlanPhases, {
  currentWave: Type.Optional(Type.Integer({ minimum: 0 })),
  waves: Type.Optional(Type.Integer({ minimum: 0, description: "How many waves the selected clusters make." })),
  soakUntil: Type.Optional(Type.String({ format: "date-time", description: "When the current wave's soak ends, if it soaks." })),
  counts: Type.Optional(Type.Object({
    selected: Type.Integer({ minimum: 0 }),
    pending: Type.Integer({ minimum: 0 }),
    upgrading: Type.Integer({ minimum: 0 }),
    upgraded: Type.Integer({ minimum: 0 }),
    failed: Type.Integer({ minimum: 0 }),
  })),
  clusters: Type.Optional(Type.Array(UpgradePlanCluster, { maxItems: 2000, description: "Each selected cluster, by wave (the selection is fixed when the plan starts: clusters labelled later are not added)." })),
});

/** The UpgradePlan resource schema. */
export const UpgradePlanSchema = Type.Object({ spec: UpgradePlanSpec, status: Type.Optional(UpgradePlanStatus) });

/** A fleet upgrade in waves. */
export type UpgradePlan = ResourceOf<"UpgradePlan", typeof UpgradePlanSchema>;
/** An UpgradePlan's spec. */
export type UpgradePlanSpec = Type.Static<typeof UpgradePlanSpec>;
/** An UpgradePlan's status. */
export type UpgradePlanStatus = Type.Static<typeof UpgradePlanStatus>;

/** UpgradePlan as a CRD. */
export const upgradePlanKind: KindDefinition = {
  kind: "UpgradePlan",
  plural: "upgradeplans",
  singular: "upgradeplan",
  shortNames: ["sbup"],
  scope: "Cluster",
  name: { maxLength: maxNameLength.upgradePlan, why: "the longest name Kubernetes allows for a label value" },
  schema: UpgradePlanSchema,
  description: "Moves the clusters it selects (by label and project) to one version in waves: a canary, then batches, each soaking with health gates before the next; halts after maxFailures; honours each cluster's maintenance windows.",
  printerColumns: [
    { name: "Version", type: "string", jsonPath: ".spec.version" },
    phaseColumn,
    { name: "Wave", type: "integer", jsonPath: ".status.currentWave" },
    { name: "Waves", type: "integer", jsonPath: ".status.waves" },
    { name: "Selected", type: "integer", jsonPath: ".status.counts.selected" },
    { name: "Upgraded", type: "integer", jsonPath: ".status.counts.upgraded" },
    { name: "Failed", type: "integer", jsonPath: ".status.counts.failed" },
    ageColumn,
  ],
};
