import { Testing } from "cdktf";
import { Construct } from "constructs";
import { ServiceContext } from "../../constructs/service";

/** The context every construct test uses. */
export const context: ServiceContext = { namePrefix: "monitoring", networks: ["monitoring"], bindAddress: "127.0.0.1" };

/** Synthesizes what `build` creates; returns the JSON text, the parsed JSON and what `build` returned. */
export function synth<T>(build: (scope: Construct) => T): { out: string; json: any; built: T } {
  let built: T | undefined;
  const out = Testing.synthScope((scope) => {
    built = build(scope);
  });
  return { out, json: JSON.parse(out), built: built as T };
}

/** The one docker_container of a synthesized scope. */
export function theContainer(json: any): any {
  const containers = Object.values(json.resource.docker_container ?? {});
  expect(containers).toHaveLength(1);
  return containers[0];
}

/** Every string of the synthesized JSON that Terraform would interpolate. */
export function interpolatedStrings(json: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      if (v.includes("${")) found.push(v);
    } else if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (v && typeof v === "object") {
      Object.values(v).forEach(walk);
    }
  };
  walk(json);
  return found;
}

/** The upload block of `containerPath`; its `source_hash` is the SHA-256 of the staged file's text. */
export function uploadOf(json: any, containerPath: string): any {
  const upload = (theContainer(json).upload ?? []).find((u: any) => u.file === containerPath);
  expect(upload).toBeDefined();
  return upload;
}
