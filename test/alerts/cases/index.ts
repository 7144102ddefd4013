import { APPLICATION_CASES } from "./application";
import { CLUSTER_CASES } from "./cluster";
import { CONTAINER_CASES } from "./containers";
import { INFRASTRUCTURE_CASES } from "./infrastructure";
import { SLO_CASES } from "./slo";
import { SATURATION_CASES } from "./saturation";
import { STACK_HEALTH_CASES } from "./stack-health";
import { AlertTestCase } from "./types";

export * from "./types";
export * from "./generate";

/** One promtool unit test per alert. */
export const ALERT_TEST_CASES: readonly AlertTestCase[] = [...APPLICATION_CASES, ...INFRASTRUCTURE_CASES, ...CONTAINER_CASES, ...SATURATION_CASES, ...SLO_CASES, ...STACK_HEALTH_CASES, ...CLUSTER_CASES];
