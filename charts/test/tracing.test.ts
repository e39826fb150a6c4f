import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { fullName, one, podTemplates, render, template, VARIANTS, type K8sObject } from "./chart.ts";

/**
 * Tracing (values tracing.*): off by default; on, with the bundled Jaeger or an existing
 * collector. Every Node process gets its env from one helper, Restate its tracing-endpoint.
 */

/** The env of every container that runs one of our processes, by workload/container. */
function processEnv(objects: K8sObject[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const { owner, spec } of podTemplates(objects))
    for (const c of spec.containers.filter((x: { command?: string[] }) => x.command?.some((a) => a.endsWith(".ts"))))
      out.set(
        `${owner.metadata.name}/${c.name}`,
        Object.fromEntries((c.env ?? []).map((e: { name: string; value?: string }) => [e.name, e.value ?? ""])),
      );
  return out;
}

const restateToml = (objects: K8sObject[]): Record<string, unknown> =>
  parseToml(one(objects, "ConfigMap", fullName("restate-config")).data!["restate.toml"]!);

/** Top-level keys of restate.toml (before the first table): all the tracing settings are there. */
function parseToml(toml: string): Record<string, unknown> {
  const top = toml.split(/^\[/m)[0]!;
  return Object.fromEntries([...top.matchAll(/^([a-z0-9-]+)\s*=\s*(.+)$/gm)].map(([, k, v]) => [k, parseYaml(v!)]));
}

/** The processes that trace (services/kit tracingSpec in their config module). */
const TRACED = ["endpoint-1", "payment", "restaurant", "provider", "webui"].map(
  (c) => `${fullName(c)}/${c.replace(/-1$/, "")}`,
);

describe("tracing off (the default)", () => {
  const objects = render({});
  it("renders no Jaeger, no tracing-endpoint for Restate, and an empty OTLP endpoint for every process", () => {
    expect(objects.filter((o) => o.metadata.name.includes("jaeger"))).toEqual([]);
    expect(restateToml(objects)).not.toHaveProperty("tracing-endpoint");
    const env = processEnv(objects);
    for (const name of TRACED) {
      expect(env.get(name), name).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: "" });
      expect(env.get(name), name).not.toHaveProperty("OTEL_SERVICE_NAME");
    }
    expect(env.get(`${fullName("webui")}/webui`)).toMatchObject({ JAEGER_QUERY_URL: "", JAEGER_UI_URL: "" });
  });
});

describe("tracing on, with the bundled Jaeger", () => {
  const objects = render(VARIANTS["everything on"]!);
  const jaeger = fullName("jaeger");

  it("deploys Jaeger v2 with memory storage, OTLP gRPC and HTTP and the query port", () => {
    const deployment = one(objects, "Deployment", jaeger);
    const [c] = deployment.spec.template.spec.containers;
    expect(c.image).toBe("jaegertracing/jaeger:2.13.0");
    expect(c.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([4317, 4318, 16686]);
    expect(c.resources.limits.memory).toBeDefined();
    const config = parseYaml(one(objects, "ConfigMap", `${jaeger}-config`).data!["config.yaml"]!);
    expect(config.extensions.jaeger_storage.backends.memstore.memory.max_traces).toBeGreaterThan(0);
    expect(config.receivers.otlp.protocols).toEqual({
      grpc: { endpoint: "0.0.0.0:4317" },
      http: { endpoint: "0.0.0.0:4318" },
    });
    const ports = one(objects, "Service", jaeger).spec.ports.map((p: { port: number }) => p.port);
    expect(ports).toEqual([4317, 4318, 16686]);
  });

  it("points Restate (OTLP gRPC) and every tracing process (OTLP/HTTP, named for its component) at it", () => {
    expect(restateToml(objects)["tracing-endpoint"]).toBe(`http://${jaeger}:4317`);
    const env = processEnv(objects);
    for (const name of TRACED)
      expect(env.get(name), name).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://${jaeger}:4318`,
        OTEL_SERVICE_NAME: name.split("/")[1],
      });
    for (const [name, e] of env)
      if (name.includes("drivers")) expect(e, name).toMatchObject({ OTEL_SERVICE_NAME: "drivers" });
  });

  it("gives the web UI the query API and the browsers' link", () => {
    expect(processEnv(objects).get(`${fullName("webui")}/webui`)).toMatchObject({
      JAEGER_QUERY_URL: `http://${jaeger}:16686`,
      JAEGER_UI_URL: "https://jaeger.example.com",
    });
  });

  it("guards Jaeger with a NetworkPolicy of its own", () => {
    const np = one(objects, "NetworkPolicy", jaeger);
    expect(np.spec.podSelector.matchLabels["app.kubernetes.io/component"]).toBe("jaeger");
    expect(np.spec.policyTypes).toEqual(["Ingress", "Egress"]);
  });
});

describe("tracing on, to an existing collector", () => {
  const objects = render(VARIANTS["tracing to an existing collector"]!);
  const collector = "http://otel-collector.observability:4318";

  it("deploys no Jaeger; Restate sends OTLP/HTTP and the processes post to the collector", () => {
    expect(objects.filter((o) => o.metadata.name.includes("jaeger"))).toEqual([]);
    expect(restateToml(objects)["tracing-endpoint"]).toBe(`otlp+${collector}/v1/traces`);
    const env = processEnv(objects);
    for (const name of TRACED) expect(env.get(name), name).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: collector });
    // No waterfall without the bundled Jaeger's query API.
    expect(env.get(`${fullName("webui")}/webui`)).toMatchObject({ JAEGER_QUERY_URL: "" });
  });
});

describe("tracing values the chart refuses", () => {
  it.each([
    [{ tracing: { enabled: true, jaeger: { enabled: false } } }, "there is no collector"],
    [{ tracing: { enabled: true, otlpEndpoint: "http://c:4318" } }, "while tracing.jaeger.enabled is true"],
    [{ tracing: { otlpEndpoint: "grpc://c:4317" } }, "/tracing/otlpEndpoint"],
    [{ tracing: { jaeger: { uiUrl: "jaeger.example.com" } } }, "/tracing/jaeger/uiUrl"],
  ])("%j", (values, message) => {
    const r = template(values);
    expect(r.ok).toBe(false);
    expect(r.output).toContain(message);
  });
});
