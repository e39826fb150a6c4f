/**
 * The platform's processes and how they are wired, written once. The local stack starts them from
 * this; the chart's tests check that every Deployment, Job and test pod runs the same entry point
 * and points the same env vars at the same peers (charts/test/topology.test.ts); the
 * configuration reference is generated from the config modules named here.
 */

export type ComponentName =
  "endpoint" | "registrar" | "payment" | "restaurant" | "drivers" | "provider" | "webui" | "smoke-test";

/** What an env var addresses: Restate's ingress or admin API, the Kafka brokers, or a component. */
export type Peer = "restate-ingress" | "restate-admin" | "kafka" | ComponentName;

export interface Component {
  /** The entry point, as `node <entry>` in the image and locally. */
  entry: string;
  /** Its typed config module (env var -> typed value). */
  config: string;
  /** The chart's values block for it. */
  values: string;
  /**
   * Stands for a system that runs elsewhere (payment provider, restaurants, drivers' phones, the
   * ordering app): niced locally, a small CPU request in the chart.
   */
  outsideWorld: boolean;
  /** Env vars that carry a peer's address, and the peer. Nothing else carries an address. */
  wiring: Record<string, Peer>;
}

export const TOPOLOGY = {
  endpoint: {
    entry: "services/order-delivery/src/main.ts",
    config: "services/order-delivery/src/config.ts",
    values: "endpoint",
    outsideWorld: false,
    wiring: { PAYMENT_URL: "payment", RESTAURANT_URL: "restaurant", KAFKA_BROKERS: "kafka" },
  },
  registrar: {
    entry: "services/registrar/src/main.ts",
    config: "services/registrar/src/config.ts",
    values: "registrar",
    outsideWorld: false,
    wiring: { RESTATE_ADMIN_URL: "restate-admin", RESTATE_INGRESS_URL: "restate-ingress" },
  },
  payment: {
    entry: "simulators/payment/src/main.ts",
    config: "simulators/payment/src/config.ts",
    values: "payment",
    outsideWorld: true,
    wiring: {},
  },
  restaurant: {
    entry: "simulators/restaurant/src/main.ts",
    config: "simulators/restaurant/src/config.ts",
    values: "restaurant",
    outsideWorld: true,
    wiring: { RESTATE_INGRESS_URL: "restate-ingress" },
  },
  drivers: {
    entry: "simulators/drivers/src/main.ts",
    config: "simulators/drivers/src/config.ts",
    values: "drivers",
    outsideWorld: true,
    wiring: { RESTATE_INGRESS_URL: "restate-ingress", KAFKA_BROKERS: "kafka" },
  },
  provider: {
    entry: "simulators/provider/src/main.ts",
    config: "simulators/provider/src/config.ts",
    values: "provider",
    outsideWorld: true,
    wiring: { RESTATE_INGRESS_URL: "restate-ingress", KAFKA_BROKERS: "kafka" },
  },
  webui: {
    entry: "webui/server/main.ts",
    config: "webui/server/config.ts",
    values: "webui",
    outsideWorld: false,
    wiring: { RESTATE_INGRESS_URL: "restate-ingress", KAFKA_BROKERS: "kafka" },
  },
  "smoke-test": {
    entry: "services/smoke-test/src/main.ts",
    config: "services/smoke-test/src/config.ts",
    values: "tests",
    outsideWorld: false,
    wiring: { RESTATE_INGRESS_URL: "restate-ingress", KAFKA_BROKERS: "kafka" },
  },
} as const satisfies Record<ComponentName, Component>;

/** Restate's well-known ports, the same locally and in the chart. */
export const RESTATE_PORTS = { ingress: 8080, admin: 9070, node: 5122 } as const;

/** The component an entry point belongs to. */
export function componentOf(entry: string): ComponentName | undefined {
  return (Object.keys(TOPOLOGY) as ComponentName[]).find((n) => TOPOLOGY[n].entry === entry);
}

/** The wiring env of one component, given where each peer is. */
export function wiringEnv(name: ComponentName, address: (peer: Peer) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(TOPOLOGY[name].wiring).map(([env, peer]) => [env, address(peer)]));
}
