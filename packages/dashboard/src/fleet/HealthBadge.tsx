import type { ReactNode } from "react";
import type { Cluster } from "../api/types.ts";
import { Badge } from "../ui/Badge.tsx";
import { clusterHealth, healthReasons, healthTone } from "./health.ts";

/** A cluster's traffic light as a badge, with the conditions behind it as its title. */
export function HealthBadge(props: { cluster: Cluster }): ReactNode {
  const health = clusterHealth(props.cluster);
  const reasons = healthReasons(props.cluster);
  return <Badge tone={healthTone(health)} {...(reasons.length === 0 ? {} : { title: reasons.join("; ") })}>{health}</Badge>;
}
