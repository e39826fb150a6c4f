import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse as parseYaml } from "yaml";
import { installKubernetesSchemas, KUBERNETES_VERSION, schemaFileFor } from "@food-ordering/setup";
import { crdFiles, type K8sObject } from "./chart.ts";

/**
 * Validators for rendered objects: built-in kinds against the strict JSON schemas of the pinned
 * Kubernetes version, custom resources against the openAPIV3Schema of the real CRDs.
 */
export { KUBERNETES_VERSION };
export type Validate = (o: K8sObject) => string[];

// Some CRD patterns are Go regexps with an inline (?i); JavaScript takes the flag separately.
const regExp = Object.assign(
  (pattern: string, flags: string) =>
    pattern.includes("(?i)") ? new RegExp(pattern.replace("(?i)", ""), `${flags}i`) : new RegExp(pattern, flags),
  {
    code: "new RegExp",
  },
);
const ajvOptions = { strict: false, allErrors: true, validateFormats: false, code: { regExp } } as const;

const describe = (f: ValidateFunction): string[] =>
  (f.errors ?? []).map(
    (e) =>
      `${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? `: ${String(e.params.additionalProperty)}` : ""}`,
  );

export function kubernetesValidator(): Validate {
  const dir = installKubernetesSchemas();
  const ajv = new Ajv2020(ajvOptions);
  ajv.addSchema(JSON.parse(readFileSync(join(dir, "_definitions.json"), "utf8")));
  const compiled = new Map<string, ValidateFunction>();
  return (o) => {
    const file = schemaFileFor(o.apiVersion, o.kind);
    let v = compiled.get(file);
    if (!v) {
      let schema: object;
      try {
        schema = JSON.parse(readFileSync(join(dir, file), "utf8"));
      } catch {
        return [`no Kubernetes ${KUBERNETES_VERSION} schema for ${o.apiVersion} ${o.kind} (${file})`];
      }
      v = ajv.compile(schema);
      compiled.set(file, v);
    }
    return v(o) ? [] : describe(v);
  };
}

/**
 * The API server drops unknown fields of a custom resource (kubectl only warns); reject them here,
 * as a strict field validation would, so a misspelled key fails the test.
 */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== "object") return schema;
  const s = Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      k === "properties"
        ? Object.fromEntries(Object.entries(v as object).map(([p, ps]) => [p, strict(ps)]))
        : strict(v),
    ]),
  );
  if (s.properties && s.additionalProperties === undefined && !s["x-kubernetes-preserve-unknown-fields"])
    s.additionalProperties = false;
  return s;
}

/** Validators keyed by "<group>/<version>/<Kind>" from the generated CRD files (crdFiles()). */
export function crdValidators(): Map<string, ValidateFunction> {
  const ajv = new Ajv(ajvOptions);
  const out = new Map<string, ValidateFunction>();
  for (const file of crdFiles()) {
    const crd = parseYaml(readFileSync(file, "utf8"));
    for (const version of crd.spec.versions) {
      const schema = strict(version.schema.openAPIV3Schema) as { properties: Record<string, unknown> };
      // metadata is the API server's ObjectMeta, not part of the CRD's schema.
      schema.properties.metadata = { type: "object" };
      out.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, ajv.compile(schema));
    }
  }
  return out;
}

export function crdValidator(): Validate {
  const validators = crdValidators();
  return (o) => {
    const v = validators.get(`${o.apiVersion}/${o.kind}`);
    if (!v) return [`no generated CRD serves ${o.apiVersion} ${o.kind}`];
    return v(o) ? [] : describe(v);
  };
}

export const isCustomResource = (o: K8sObject): boolean => /\.(strimzi\.io|coreos\.com)\//.test(o.apiVersion);
