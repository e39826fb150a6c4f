import fs from "node:fs";
import YAML from "yaml";
import { z } from "zod";
import { checkCatalog, type Catalog } from "@food-ordering/contracts";

/**
 * The desired state: which Kafka clusters, endpoints and subscriptions Restate should have, and
 * the catalog regions to put into the live catalog once the endpoint is registered (catalog.ts).
 * It is data (a file the chart renders into a ConfigMap, plus endpoints discovered from labelled
 * Services); this module parses it and reports every problem at once, before anything is applied.
 */

/** librdkafka properties are strings; YAML authors write numbers and booleans, so scalars are coerced. */
const properties = z.record(
  z.string().min(1),
  z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v)),
);

// Restate's own rule for cluster names ("a valid hostname format").
const clusterName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "must be a hostname label: lowercase letters, digits and '-'");

const httpUri = z
  .string()
  .url("must be a URI such as http://host:9080")
  // Unparseable URIs are reported by .url() above; refinements still run on them.
  .refine((s) => !URL.canParse(s) || /^https?:$/.test(new URL(s).protocol), "must use http or https")
  .transform(normalizeUri);

/**
 * client.id carries this registrar's ownership marker (see ownership.ts): Restate hands every
 * subscription option to librdkafka, so an invented key would break the consumer, and client.id is
 * the one harmless real property left free for it.
 */
const RESERVED_OPTIONS = ["client.id"];

/** The catalog's one schema and checks (services/contracts); absent = nothing to put. */
const catalog = z.unknown().transform((raw, ctx): Catalog | undefined => {
  if (raw === undefined || raw === null) return undefined;
  const checked = checkCatalog(raw);
  if (checked.catalog) return checked.catalog;
  for (const message of checked.errors) ctx.addIssue({ code: "custom", message });
  return z.NEVER;
});

const schema = z
  .object({
    catalog: catalog.optional(),
    kafkaClusters: z
      .array(z.object({ name: clusterName, properties }).strict())
      .default([])
      .superRefine((clusters, ctx) => {
        clusters.forEach((c, i) => {
          if (!("bootstrap.servers" in c.properties) && !("metadata.broker.list" in c.properties))
            ctx.addIssue({
              code: "custom",
              path: [i, "properties"],
              message: "needs bootstrap.servers (or metadata.broker.list)",
            });
        });
        reportDuplicates(
          clusters.map((c) => c.name),
          "cluster",
          ctx,
        );
      }),
    endpoints: z
      .array(z.object({ uri: httpUri, useHttp11: z.boolean().default(false) }).strict())
      .default([])
      .superRefine((eps, ctx) =>
        reportDuplicates(
          eps.map((e) => e.uri),
          "endpoint",
          ctx,
        ),
      ),
    subscriptions: z
      .array(
        z
          .object({
            source: z
              .string()
              .regex(/^kafka:\/\/[^/\s]+\/[^/\s]+$/, "must be kafka://<cluster>/<topic> with a topic named"),
            sink: z.string().regex(/^service:\/\/[^/\s]+\/[^/\s]+$/, "must be service://<service>/<handler>"),
            options: properties.default({}),
          })
          .strict()
          .superRefine((s, ctx) => {
            for (const k of RESERVED_OPTIONS)
              if (k in s.options)
                ctx.addIssue({
                  code: "custom",
                  path: ["options", k],
                  message: `${k} is reserved: the registrar stores its ownership marker there`,
                });
          }),
      )
      .default([])
      .superRefine((subs, ctx) =>
        reportDuplicates(
          subs.map((s) => `${s.source} -> ${s.sink}`),
          "subscription",
          ctx,
        ),
      ),
  })
  .strict()
  .superRefine((d, ctx) => {
    const clusters = new Set(d.kafkaClusters.map((c) => c.name));
    d.subscriptions.forEach((s, i) => {
      const cluster = parseSource(s.source).cluster;
      if (!clusters.has(cluster))
        ctx.addIssue({
          code: "custom",
          path: ["subscriptions", i, "source"],
          message: `Kafka cluster "${cluster}" is not declared under kafkaClusters`,
        });
    });
  });

export type DesiredState = z.output<typeof schema>;
export type DesiredEndpoint = DesiredState["endpoints"][number];
export type DesiredSubscription = DesiredState["subscriptions"][number];
export type DesiredCluster = DesiredState["kafkaClusters"][number];

export class DesiredStateError extends Error {
  readonly problems: string[];
  constructor(origin: string, problems: string[]) {
    super(`invalid desired state (${origin}):\n  - ${problems.join("\n  - ")}`);
    this.name = "DesiredStateError";
    this.problems = problems;
  }
}

function reportDuplicates(keys: string[], what: string, ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  keys.forEach((k, i) => {
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else ctx.addIssue({ code: "custom", path: [i], message: `duplicate ${what} ${k} (same as entry ${first})` });
  });
}

/** Parses YAML or JSON text (JSON is YAML) into a validated desired state. */
export function parseDesiredState(text: string, origin: string): DesiredState {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw new DesiredStateError(origin, [`not valid YAML/JSON: ${(err as Error).message}`]);
  }
  return validateDesiredState(raw ?? {}, origin);
}

export function validateDesiredState(raw: unknown, origin: string): DesiredState {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  throw new DesiredStateError(
    origin,
    r.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(top level)"}: ${i.message}`),
  );
}

export function loadDesiredStateFile(file: string): DesiredState {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // The usual first-day case: `npm run register` before the local stack has written the file.
    const hint =
      code === "ENOENT" ? " (the local stack writes it: start it with `npm start`, or set DESIRED_STATE_FILE)" : "";
    throw new DesiredStateError(file, [`cannot read the file: ${code ?? (err as Error).message}${hint}`]);
  }
  return parseDesiredState(text, file);
}

/** Adds discovered endpoints (Kubernetes Services) to the declared ones, without duplicates. */
export function withEndpoints(desired: DesiredState, uris: string[]): DesiredState {
  const have = new Set(desired.endpoints.map((e) => e.uri));
  const extra = uris.map(normalizeUri).filter((u) => !have.has(u));
  return {
    ...desired,
    endpoints: [...desired.endpoints, ...[...new Set(extra)].map((uri) => ({ uri, useHttp11: false }))],
  };
}

/**
 * Restate keys deployments by URI exactly as it stores it (`http://h:9080/`), so both sides are
 * compared in one canonical form. `localhost` and `127.0.0.1` stay distinct, as they are for Restate.
 */
export function normalizeUri(uri: string): string {
  const u = new URL(uri);
  u.hash = "";
  return u.href;
}

export function parseSource(source: string): { cluster: string; topic: string } {
  const [cluster = "", topic = ""] = source.replace(/^kafka:\/\//, "").split("/");
  return { cluster, topic };
}

export function parseSink(sink: string): { service: string; handler: string } {
  const [service = "", handler = ""] = sink.replace(/^service:\/\//, "").split("/");
  return { service, handler };
}
