import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { DNS_LABEL } from "@food-ordering/contracts";
import { CHART_DIR, template, type Values } from "./chart.ts";

/** Bad values fail `helm template` with a message that names the value and what is wrong. */
const BAD: Array<[string, Values, RegExp]> = [
  ["an unknown key (a typo)", { endpont: { replicas: 2 } }, /additional properties 'endpont' not allowed/],
  ["an unknown nested key", { restate: { replica: 3 } }, /at '\/restate'.*additional properties 'replica' not allowed/],
  [
    "a region the catalog does not have",
    { regions: [{ name: "tokyo", drivers: 5, replicas: 1 }] },
    /regions: "tokyo" has no catalog entry: it is not built in \(amsterdam, berlin, paris, lisbon\) and not in catalog.regions/,
  ],
  [
    "a region name that is no DNS-1123 label",
    { regions: [{ name: "Tokyo_1", drivers: 5, replicas: 1 }] },
    /at '\/regions\/0\/name': 'Tokyo_1' does not match pattern/,
  ],
  ["no region at all", { regions: [] }, /at '\/regions'.*minItems/],
  ["a port out of range", { endpoint: { port: 70000 } }, /at '\/endpoint\/port'.*maximum/],
  ["a negative provider rate", { provider: { rate: -1 } }, /at '\/provider\/rate'.*minimum/],
  [
    "a malformed CPU quantity",
    { drivers: { resources: { requests: { cpu: "lots", memory: "128Mi" }, limits: { cpu: "1", memory: "256Mi" } } } },
    /at '\/drivers\/resources\/requests\/cpu': 'lots' does not match/,
  ],
  [
    "a missing memory limit",
    { webui: { resources: { requests: { cpu: "100m", memory: "160Mi" }, limits: { cpu: "1", memory: null } } } },
    /at '\/webui\/resources\/limits': missing property 'memory'/,
  ],
  ["an unknown log level", { global: { logLevel: "loud" } }, /at '\/global\/logLevel': value must be one of/],
  [
    "a retention that is no duration",
    { restate: { journalRetention: "forever" } },
    /at '\/restate\/journalRetention': 'forever' does not match/,
  ],
  [
    "a bootstrap address without a port",
    { kafka: { external: { bootstrapServers: "kafka.infra" } } },
    /at '\/kafka\/external\/bootstrapServers'/,
  ],
  [
    "more Restate copies than nodes",
    { restate: { replicas: 3, defaultReplication: 4 } },
    /restate.defaultReplication \(4\) must not exceed restate.replicas \(3\)/,
  ],
  [
    "a two-node Restate cluster (no majority survives one failure)",
    { restate: { replicas: 2 } },
    /at '\/restate\/replicas': value must be one of 1, 3, 5, 7, 9/,
  ],
  [
    "a four-node Restate cluster",
    { restate: { replicas: 4, defaultReplication: 2 } },
    /at '\/restate\/replicas': value must be one of 1, 3, 5, 7, 9/,
  ],
  ["a Restate /tmp that is no quantity", { restate: { tmpSizeLimit: "lots" } }, /at '\/restate\/tmpSizeLimit'/],
  [
    "a discovered endpoints' pod label that is no key=value",
    { registrar: { discovery: { labelSelector: "a=b", podLabel: "just-a-key" } } },
    /at '\/registrar\/discovery\/podLabel'/,
  ],
  [
    "more topic replicas than brokers",
    { kafka: { topics: { orders: { partitions: 3, replicas: 3 } } } },
    /kafka.topics.orders.replicas \(3\) must not exceed kafka.strimzi.replicas \(1\)/,
  ],
  ["a revision that cannot name a Service", { endpoint: { revision: "Blue_2" } }, /at '\/endpoint\/revision'/],
  [
    "a draining revision without its image",
    { endpoint: { revision: 2, drainingRevisions: [{ revision: 1 }] } },
    /at '\/endpoint\/drainingRevisions\/0': missing property 'image'/,
  ],
  [
    "the current revision listed as draining",
    { endpoint: { revision: 2, drainingRevisions: [{ revision: "2", image: "food-ordering:0.1.0" }] } },
    /revision "2" is listed twice or is the current endpoint.revision/,
  ],
  [
    "a draining revision listed twice",
    {
      endpoint: {
        revision: 3,
        drainingRevisions: [
          { revision: 1, image: "a:1" },
          { revision: "1", image: "a:1" },
        ],
      },
    },
    /revision "1" is listed twice/,
  ],
  ["an unknown kafka.mode", { kafka: { mode: "kraft" } }, /at '\/kafka\/mode': value must be one of/],
  [
    "kafka.mode external without bootstrapServers",
    { kafka: { mode: "external" } },
    /kafka.mode is external but kafka.external.bootstrapServers is empty/,
  ],
  [
    "kafka.mode bundled with bootstrapServers (which Kafka?)",
    { kafka: { mode: "bundled", external: { bootstrapServers: "kafka.infra:9092" } } },
    /kafka.mode is bundled but kafka.external.bootstrapServers is set \(kafka.infra:9092\)/,
  ],
  [
    "kafka.mode strimzi with bootstrapServers",
    { kafka: { mode: "strimzi", external: { bootstrapServers: "kafka.infra:9092" } } },
    /kafka.mode is strimzi but kafka.external.bootstrapServers is set/,
  ],
  [
    "topic replicas on the one bundled broker",
    { kafka: { mode: "bundled", topics: { orders: { partitions: 3, replicas: 2 } } } },
    /kafka.topics.orders.replicas \(2\) must be 1 with kafka.mode bundled/,
  ],
  [
    "a KRaft cluster id that is no base64url UUID",
    { kafka: { mode: "bundled", bundled: { clusterId: "my-cluster" } } },
    /at '\/kafka\/bundled\/clusterId'/,
  ],
  [
    "a region listed twice",
    {
      regions: [
        { name: "berlin", drivers: 1, replicas: 1 },
        { name: "berlin", drivers: 2, replicas: 1 },
      ],
    },
    /"berlin" is listed twice/,
  ],
];

it.each(BAD)("rejects %s with a readable message", (_what, values, message) => {
  const r = template(values);
  expect(r.ok).toBe(false);
  expect(r.output).toMatch(message);
});

it.each([1, 3, 5])("accepts restate.replicas %d (one node, or an odd number for a majority)", (replicas) => {
  const r = template({ restate: { replicas } });
  expect(r.ok, r.output).toBe(true);
});

it.each([
  ["external, explicit", { kafka: { mode: "external", external: { bootstrapServers: "kafka.infra:9092" } } }],
  [
    "external, implied by bootstrapServers (as before kafka.mode)",
    { kafka: { external: { bootstrapServers: "k:9092" } } },
  ],
  ["strimzi, explicit", { kafka: { mode: "strimzi" } }],
  [
    "bundled with a cluster id of its own",
    { kafka: { mode: "bundled", bundled: { clusterId: "MkU3OEVBNTcwNTJENDM2Qg" } } },
  ],
])("accepts kafka mode %s", (_what, values) => {
  const r = template(values);
  expect(r.ok, r.output).toBe(true);
});

it("names regions by DNS-1123 labels, as the catalog does", () => {
  const schema = JSON.parse(readFileSync(join(CHART_DIR, "values.schema.json"), "utf8"));
  expect(schema.properties.regions.items.properties.name.pattern).toBe(DNS_LABEL.source);
});

it("forbids unknown keys in every object of the schema", () => {
  const schema = JSON.parse(readFileSync(join(CHART_DIR, "values.schema.json"), "utf8"));
  const open: string[] = [];
  const walk = (s: unknown, path: string): void => {
    if (!s || typeof s !== "object") return;
    const o = s as Record<string, unknown>;
    if (o.type === "object" && o.additionalProperties !== false) open.push(path);
    for (const [k, v] of Object.entries(o)) walk(v, `${path}/${k}`);
  };
  walk(schema, "");
  expect(open).toEqual([]);
});
