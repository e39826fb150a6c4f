import { z } from "zod";

/**
 * One typed configuration module per process is built from a spec: env var -> schema, default
 * and a line of documentation. The same spec parses the environment at start-up (collecting
 * every bad value into one clear error) and generates the configuration reference, so the two
 * cannot drift apart.
 */
export interface VarSpec<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** Default as the env var string would carry it; absent means the variable is required. */
  default?: string;
  doc: string;
  /** The Helm value that sets it, for the configuration reference. */
  helm?: string;
}
export type ConfigSpec = Record<string, VarSpec>;
export type ConfigOf<S extends ConfigSpec> = { [K in keyof S]: z.output<S[K]["schema"]> };

export class ConfigError extends Error {
  constructor(component: string, problems: string[]) {
    super(`invalid configuration for ${component}:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

export interface ConfigDefinition<S extends ConfigSpec> {
  component: string;
  spec: S;
  parse(env?: Record<string, string | undefined>): ConfigOf<S>;
  /** parse() for an entry point: a bad value prints one clear message and exits 78 (EX_CONFIG). */
  load(): ConfigOf<S>;
}

const registry: ConfigDefinition<ConfigSpec>[] = [];
/** Every config definition loaded in this process, for the generated reference. */
export const allConfigDefinitions = (): readonly ConfigDefinition<ConfigSpec>[] => registry;

export function defineConfig<S extends ConfigSpec>(component: string, spec: S): ConfigDefinition<S> {
  const def: ConfigDefinition<S> = {
    component,
    spec,
    parse(env = process.env) {
      const out: Record<string, unknown> = {};
      const problems: string[] = [];
      for (const [name, v] of Object.entries(spec)) {
        const raw = env[name] === undefined || env[name] === "" ? v.default : env[name];
        if (raw === undefined && v.schema.safeParse(undefined).success) {
          out[name] = undefined;
          continue;
        }
        if (raw === undefined) {
          problems.push(`${name} is required (${v.doc})`);
          continue;
        }
        const r = v.schema.safeParse(raw);
        if (r.success) out[name] = r.data;
        else problems.push(`${name}=${JSON.stringify(raw)}: ${r.error.issues.map((i) => i.message).join(", ")}`);
      }
      if (problems.length) throw new ConfigError(component, problems);
      return out as ConfigOf<S>;
    },
    load() {
      try {
        return def.parse();
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        process.stderr.write(`${e.message}\n`);
        process.exit(78);
      }
    },
  };
  registry.push(def as unknown as ConfigDefinition<ConfigSpec>);
  return def;
}

/** Schemas for env strings. */
export const env = {
  string: () => z.string().min(1),
  int: (min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) =>
    z
      .string()
      .regex(/^-?\d+$/, "must be an integer")
      .transform(Number)
      .pipe(z.number().int().min(min, `must be >= ${min}`).max(max, `must be <= ${max}`)),
  number: (min = -Infinity, max = Infinity) =>
    z
      .string()
      .regex(/^-?\d+(\.\d+)?$/, "must be a number")
      .transform(Number)
      .pipe(z.number().min(min, `must be >= ${min}`).max(max, `must be <= ${max}`)),
  port: () => env.int(0, 65535),
  bool: () =>
    z
      .enum(["true", "false", "1", "0"], { message: "must be true or false" })
      .transform((s) => s === "true" || s === "1"),
  url: () =>
    z
      .string()
      .url("must be a URL such as http://host:port")
      .transform((s) => s.replace(/\/+$/, "")),
  list: () =>
    z
      .string()
      .transform((s) =>
        s
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string()).min(1, "must list at least one item")),
  /** A duration such as 500ms, 30s, 15m, 1h or 7d, as milliseconds. */
  duration: () =>
    z
      .string()
      .regex(/^\d+(ms|s|m|h|d)$/, "must be a duration such as 500ms, 30s, 15m, 1h or 7d")
      .transform((s) => {
        const [, n, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(s)!;
        return Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as "ms"];
      }),
  oneOf: <T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, { message: `must be one of ${values.join(", ")}` }),
};

/** Variables every Node process reads. */
export const commonSpec = {
  LOG_LEVEL: {
    schema: env.oneOf(["trace", "debug", "info", "warn", "error", "fatal", "silent"]),
    default: "info",
    doc: "Log level.",
    helm: "global.logLevel",
  },
  LOG_FORMAT: {
    schema: env.oneOf(["json", "pretty"]),
    default: "json",
    doc: "json for machines, pretty for local reading.",
    helm: "global.logFormat",
  },
  METRICS_PORT: {
    schema: env.port(),
    default: "9464",
    doc: "Port of the Prometheus /metrics endpoint (0 = off).",
    helm: "<component>.metricsPort",
  },
  BIND_HOST: {
    schema: env.string(),
    default: "0.0.0.0",
    doc: "Interface the process listens on.",
    helm: "(fixed in the chart)",
  },
} satisfies ConfigSpec;

/** What every producer of order events reads: the key they are signed with (contracts' order-signature.ts). */
export const orderProducerSpec = {
  ORDER_SIGNING_KEY: {
    schema: z.string().max(256),
    default: "",
    doc:
      "The platform's order signing key: order events are published signed with it, and the endpoint drops " +
      "unsigned ones when it has the key. Empty = published unsigned.",
    helm: "endpoint.orderSigningKey (Secret)",
  },
} satisfies ConfigSpec;
