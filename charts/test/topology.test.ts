import { describe, expect, it } from "vitest";
import { componentOf, RESTATE_PORTS, TOPOLOGY, type Peer } from "@food-ordering/stack/topology";
import { byKind, effectiveValues, fullName, podTemplates, render, VARIANTS } from "./chart.ts";

/**
 * The chart runs the processes the topology lists (tools/stack/src/topology.ts, which the local
 * stack starts from) and wires each to the same peers through the same env vars.
 */
const ADDRESS_ENV = /_URL$|^KAFKA_BROKERS$/;
/** The trace backend's addresses: optional (tracing.*), outside the topology; tracing.test.ts checks them. */
const TRACING_ENV = ["JAEGER_QUERY_URL", "JAEGER_UI_URL"];

/**
 * Where a peer is in the release, as host:port. Kafka by kafka.mode: Strimzi's bootstrap Service,
 * the bundled broker's Service, or the existing cluster (wiring.test.ts checks the ports behind them).
 */
function peerAddress(peer: Peer, v: any): string {
  if (peer === "restate-ingress") return `${fullName("restate")}:${RESTATE_PORTS.ingress}`;
  if (peer === "restate-admin") return `${fullName("restate")}:${RESTATE_PORTS.admin}`;
  if (peer === "kafka") {
    const mode: string = v.kafka.mode || (v.kafka.external.bootstrapServers ? "external" : "strimzi");
    if (mode === "external") return v.kafka.external.bootstrapServers;
    return mode === "bundled" ? `${fullName("kafka")}:9092` : `${fullName("kafka")}-kafka-bootstrap:9092`;
  }
  return fullName(peer);
}

describe.each(Object.entries(VARIANTS))("variant %s", (_name, values) => {
  const objects = render(values);
  const v = effectiveValues(values);
  const ours = podTemplates(objects).flatMap(({ owner, spec }) =>
    spec.containers
      .filter((c: { image: string }) => c.image.startsWith(`${v.global.image.repository}:`))
      .map((c: { command?: string[]; env?: Array<{ name: string; value?: string }> }) => ({
        owner: `${owner.kind}/${owner.metadata.name}`,
        entry: c.command?.find((a) => a.endsWith(".ts")),
        env: Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? ""])),
      })),
  );

  it("every container of the release's image runs a process of the topology", () => {
    for (const c of ours) expect(componentOf(c.entry ?? ""), `${c.owner} runs ${c.entry}`).toBeDefined();
  });

  it("each process's addresses are exactly its topology wiring, pointing at the same peers", () => {
    for (const c of ours) {
      const component = TOPOLOGY[componentOf(c.entry ?? "")!];
      const addressEnv = Object.keys(c.env).filter((n) => ADDRESS_ENV.test(n) && !TRACING_ENV.includes(n));
      expect(addressEnv.sort(), c.owner).toEqual(Object.keys(component.wiring).sort());
      for (const [name, peer] of Object.entries(component.wiring) as Array<[string, Peer]>) {
        const expected = peerAddress(peer, v);
        const value = c.env[name]!;
        const host = /^https?:\/\//.test(value) ? new URL(value).host : value;
        if (peer === "kafka") expect(value, `${c.owner} ${name} should address ${peer}`).toBe(expected);
        else expect(host.startsWith(expected), `${c.owner} ${name}=${value} should address ${peer}`).toBe(true);
      }
    }
  });

  it("runs every long-lived component of the topology", () => {
    const running = new Set(ours.map((c) => componentOf(c.entry ?? "")));
    const expected = (Object.keys(TOPOLOGY) as Array<keyof typeof TOPOLOGY>).filter(
      (n) => n !== "drivers" || v.regions.length > 0,
    );
    expect([...running].sort()).toEqual(expected.sort());
    expect(byKind(objects, "Deployment").length).toBeGreaterThan(0);
  });
});
