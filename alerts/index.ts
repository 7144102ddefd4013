/**
 * The alert and recording rule library: typed data and functions, no cdktf import, so the same rules
 * can be rendered for Docker today and for another runtime later.
 */
export * from "./duration";
export * from "./jobs";
export * from "./model";
export * from "./thresholds";
export * from "./promql";
export * from "./format";
export * from "./rule-set";
export * from "./render";
export * from "./alert-catalog";
export { RECORDED, SELECTORS, RATE_WINDOW, RECORDING_RULES, ALERT_DEFINITIONS, GROUP_NAMES } from "./rules";
export type { ExporterKey, GroupName, AlertDefinition, RecordingDefinition, ConditionKey } from "./rules";
export * from "./custom";
