import * as yaml from "js-yaml";
import { ServiceContext } from "../../constructs/service";

/** The context most construct tests use. */
export const CONTEXT: ServiceContext = { namePrefix: "monitoring", networks: ["monitoring"], bindAddress: "127.0.0.1" };

/** The resources of one type in a synthesized stack (output of Testing.synthScope), by name. */
export function resources(synth: string, type: string): Record<string, Record<string, unknown>> {
  return (JSON.parse(synth).resource?.[type] ?? {}) as Record<string, Record<string, unknown>>;
}

/** The only resource of a type. */
export function only(synth: string, type: string): Record<string, unknown> {
  const all = Object.values(resources(synth, type));
  if (all.length !== 1) {
    throw new Error(`expected one ${type}, found ${all.length}`);
  }
  return all[0];
}

/** Parses YAML text into a plain object. */
export function parseYaml(text: string): Record<string, any> {
  return yaml.load(text) as Record<string, any>;
}
