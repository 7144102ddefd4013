import { APPLICATION_ALERTS } from "./application";
import { CLUSTER_ALERTS } from "./cluster";
import { CONTAINER_ALERTS } from "./containers";
import { INFRASTRUCTURE_ALERTS } from "./infrastructure";
import { STACK_HEALTH_ALERTS } from "./stack-health";
import { SLO_ALERTS } from "./slo";
import { SATURATION_ALERTS } from "./saturation";
import { AlertDefinition } from "./types";

export * from "./types";
export * from "./selectors";
export { RECORDING_RULES } from "./recording";
export * from "./slo";
export { COMPONENT_DOWN_ALERTS } from "./stack-health";

/** Every alert definition, before options are applied. */
export const ALERT_DEFINITIONS: readonly AlertDefinition[] = [
  ...APPLICATION_ALERTS,
  ...INFRASTRUCTURE_ALERTS,
  ...CONTAINER_ALERTS,
  ...SATURATION_ALERTS,
  ...SLO_ALERTS,
  ...STACK_HEALTH_ALERTS,
  ...CLUSTER_ALERTS,
];
