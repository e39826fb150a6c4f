import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import {
  DesiredStateError,
  loadDesiredStateFile,
  normalizeUri,
  parseDesiredState,
  withEndpoints,
} from "../../src/desired-state.ts";

const EXAMPLE = `
kafkaClusters:
  - name: kafka
    properties: { bootstrap.servers: "127.0.0.1:9092", session.timeout.ms: 6000 }
endpoints:
  - uri: http://127.0.0.1:9080
subscriptions:
  - source: kafka://kafka/orders
    sink: service://order-status/receive
    options: { auto.offset.reset: earliest, enable.auto.commit: false }
`;

function problemsOf(text: string): string[] {
  try {
    parseDesiredState(text, "test");
  } catch (err) {
    expect(err).toBeInstanceOf(DesiredStateError);
    return (err as DesiredStateError).problems;
  }
  throw new Error("expected the desired state to be rejected");
}

describe("desired state", () => {
  it("parses the documented example, coercing YAML scalars to librdkafka strings and normalizing URIs", () => {
    const d = parseDesiredState(EXAMPLE, "test");
    expect(d.kafkaClusters[0]?.properties).toEqual({
      "bootstrap.servers": "127.0.0.1:9092",
      "session.timeout.ms": "6000",
    });
    expect(d.endpoints).toEqual([{ uri: "http://127.0.0.1:9080/", useHttp11: false }]);
    expect(d.subscriptions[0]?.options).toEqual({ "auto.offset.reset": "earliest", "enable.auto.commit": "false" });
  });

  it("accepts JSON and an empty document (nothing desired)", () => {
    expect(parseDesiredState('{"endpoints":[{"uri":"https://e.example:443/restate"}]}', "t").endpoints[0]?.uri).toBe(
      "https://e.example/restate",
    );
    expect(parseDesiredState("", "t")).toEqual({ kafkaClusters: [], endpoints: [], subscriptions: [] });
  });

  it("reports every problem at once, each with its path", () => {
    const problems = problemsOf(`
kafkaClusters:
  - name: Kafka_1
    properties: { security.protocol: plaintext }
endpoints:
  - uri: not a uri
  - uri: ftp://host/x
subscriptions:
  - source: kafka://missing/orders
    sink: service://svc/handler
  - source: kafka://Kafka_1/
    sink: svc/handler
    options: { client.id: mine }
extra: true
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^kafkaClusters\.0\.name: must be a hostname label/),
        expect.stringMatching(/^kafkaClusters\.0\.properties: needs bootstrap\.servers/),
        expect.stringMatching(/^endpoints\.0\.uri: must be a URI/),
        expect.stringMatching(/^endpoints\.1\.uri: must use http or https/),
        expect.stringMatching(/^subscriptions\.1\.source: must be kafka:\/\/<cluster>\/<topic> with a topic named/),
        expect.stringMatching(/^subscriptions\.1\.sink: must be service:\/\/<service>\/<handler>/),
        expect.stringMatching(/^subscriptions\.1\.options\.client\.id: client\.id is reserved/),
        expect.stringMatching(/^\(top level\): Unrecognized key: "extra"/),
        'subscriptions.0.source: Kafka cluster "missing" is not declared under kafkaClusters',
      ]),
    );
    expect(problems).toHaveLength(9);
  });

  it("rejects a subscription whose cluster is not declared, and duplicates", () => {
    expect(
      problemsOf(`
kafkaClusters: [{ name: kafka, properties: { bootstrap.servers: "k:9092" } }]
endpoints: [{ uri: "http://a:9080" }, { uri: "http://a:9080/" }]
subscriptions:
  - { source: kafka://other/orders, sink: service://s/h }
  - { source: kafka://kafka/orders, sink: service://s/h }
  - { source: kafka://kafka/orders, sink: service://s/h }
`),
    ).toEqual([
      "endpoints.1: duplicate endpoint http://a:9080/ (same as entry 0)",
      "subscriptions.2: duplicate subscription kafka://kafka/orders -> service://s/h (same as entry 1)",
      'subscriptions.0.source: Kafka cluster "other" is not declared under kafkaClusters',
    ]);
  });

  it("names the file and the reason when it cannot be read or parsed", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "desired-"));
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    expect(() => loadDesiredStateFile(path.join(dir, "missing.yaml"))).toThrow(
      /missing\.yaml\):\n {2}- cannot read the file: ENOENT \(the local stack writes it: start it with `npm start`/,
    );
    const bad = path.join(dir, "bad.yaml");
    fs.writeFileSync(bad, "endpoints: [\n");
    expect(() => loadDesiredStateFile(bad)).toThrow(/bad\.yaml.*not valid YAML\/JSON/s);
  });

  it("keeps localhost and 127.0.0.1 apart (Restate does) but unifies trailing slashes", () => {
    expect(normalizeUri("http://localhost:9080")).not.toBe(normalizeUri("http://127.0.0.1:9080"));
    expect(normalizeUri("http://127.0.0.1:9080")).toBe(normalizeUri("http://127.0.0.1:9080/"));
  });

  it("adds discovered endpoints once, after the declared ones", () => {
    const d = parseDesiredState(EXAMPLE, "t");
    expect(
      withEndpoints(d, ["http://127.0.0.1:9080", "http://ep.ns.svc:9080", "http://ep.ns.svc:9080/"]).endpoints.map(
        (e) => e.uri,
      ),
    ).toEqual(["http://127.0.0.1:9080/", "http://ep.ns.svc:9080/"]);
  });
});
