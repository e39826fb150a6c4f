import fs from "node:fs";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import YAML from "yaml";
import {
  CONSUMER_OPTIONS,
  SUBSCRIPTIONS,
  TOPICS,
  findRegion,
  DEFAULT_CATALOG,
  type Catalog,
} from "@food-ordering/contracts";
import { ManagedProcess, httpOk } from "./process.ts";
import { createKafka, ensureTopics } from "./kafka.ts";
import { createRestate } from "./restate.ts";
import { assertPortFree, freePort } from "./ports.ts";
import { createPrometheus, type RuleGroup } from "./prometheus.ts";
import { Supervisor, type SupervisorOptions } from "./supervisor.ts";
import { createJaeger, ensureJaeger, type JaegerPorts } from "./jaeger.ts";
import { ensureRequestIdentity, ensureStackSecret } from "./request-identity.ts";
import { RESTATE_PORTS, TOPOLOGY, wiringEnv, type ComponentName, type Peer } from "./topology.ts";

const run = promisify(execFile);
export const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");

export interface RegionSpec {
  name: string;
  drivers: number;
}

export interface StackOptions {
  /** Where Kafka, Restate and the ledger keep their data (kept across restarts). */
  dataDir: string;
  /** Downloaded artifacts (Kafka jars), shared between stacks. */
  cacheDir?: string;
  /** Pick free loopback ports (tests) instead of the documented defaults (npm start). */
  freePorts?: boolean;
  /** Use an existing Kafka cluster instead of starting a broker. */
  kafkaBrokers?: string[];
  regions?: RegionSpec[];
  /**
   * Catalog regions (checked: loadCatalogFile / checkCatalog) put into the live catalog after
   * registration, before the simulators start; a region of `regions` needs an entry here or built in.
   */
  catalog?: Catalog;
  /** Simulated seconds per real second. */
  timeScale?: number;
  tickMs?: number;
  providerRate?: number;
  /** The web UI: started with the rest (default), not at all, or only by startWebui() ("later"). */
  webui?: boolean | "later";
  /** Run a local Prometheus scraping every process (npm start, the dashboard tests). */
  prometheus?: boolean;
  /** Its port, instead of the default 9090 (or a free one with freePorts). */
  prometheusPort?: number;
  /** Rule groups its Prometheus evaluates beside the chart's (a test's shortened copy of an alert). */
  prometheusExtraRules?: RuleGroup[];
  /** librdkafka options added to every subscription's (a test's fetch limits). */
  consumerOptions?: Record<string, string>;
  /**
   * Distributed tracing: a local Jaeger (built from its Go module on first use) receives the
   * spans of restate-server and every Node process (OTEL_EXPORTER_OTLP_ENDPOINT).
   */
  tracing?: boolean;
  /** Extra env for every Node process (e.g. LOG_LEVEL). */
  env?: Record<string, string>;
  /** Env for one component, by process name. */
  componentEnv?: Record<string, Record<string, string>>;
  /** restate-server's partitions (default: one per two cores). */
  restatePartitions?: number;
  /** restate-server's log: "local" (default, one node) or "replicated" (as the chart's cluster runs). */
  restateLoglet?: "local" | "replicated";
  /** CPU niceness of the simulated outside world (payment, restaurant, drivers, provider); default SIMULATOR_NICE. */
  simulatorNice?: number;
  log?: (line: string) => void;
}

/** The regions that have neither a built-in catalog entry nor one in `catalog`. */
export function regionsWithoutCatalog(regions: string[], catalog?: Catalog): string[] {
  return regions.filter((r) => !findRegion(r) && !catalog?.regions.some((c) => c.id === r));
}
const DEFAULT_REGION_IDS = DEFAULT_CATALOG.regions.map((r) => r.id).join(", ");

/** Where everything listens; serializable, so tests receive it from the global setup. */
export interface StackInfo {
  ingressUrl: string;
  adminUrl: string;
  restateMetricsUrl: string;
  kafkaBrokers: string[];
  endpointUrl: string;
  paymentUrl: string;
  restaurantUrl: string;
  providerUrl: string;
  webuiUrl?: string;
  prometheusUrl?: string;
  /** Jaeger's query API (`/api/v3/traces/{id}`), when tracing. */
  jaegerUrl?: string;
  /** Where the Node processes send spans (OTLP/HTTP base URL), when tracing. */
  otlpEndpoint?: string;
  regions: string[];
  dataDir: string;
  logDir: string;
  desiredStateFile: string;
  /** Metrics endpoints of the Node processes, by process name. */
  metrics: Record<string, string>;
  /**
   * What outsiders of this stack present: the fleet's driver enrollment key, the web UI's operator
   * token, and the key the platform's producers sign order events with.
   */
  credentials: { driverEnrollmentKey: string; operatorToken: string; orderSigningKey: string };
}

/**
 * The simulators stand for systems that run elsewhere (payment provider, restaurants, drivers'
 * phones, the ordering app): on one laptop they would otherwise compete with the platform for the
 * same cores, which no deployment does. At nice 10 they get the CPU the platform leaves (measured
 * at 9 orders/s on 2 cores, three runs each: publish -> CREATED p50 12-17 ms instead of 19-29),
 * and all of it when the platform waits. The chart does the same through CPU requests, which set
 * the pods' CPU weights on a busy node: 50m for a simulator, 200m for the endpoint, 500m for Restate.
 */
export const SIMULATOR_NICE = 10;

/** What `npm start` runs with unless told otherwise: simulated time 60x, a tick a second, 0.2 orders/s. */
export const STACK_DEFAULTS = { timeScale: 60, tickMs: 1000, providerRate: 0.2 } as const;
/** An ETA change worth telling an order, in simulated seconds: the stack scales it to its clock. */
export const ETA_CHANGE_THRESHOLD_S = 120;

/** The tests', the chaos run's and the benchmark's simulated time: a 10-minute preparation in a second. */
export const FAST_TIME_SCALE = 600;

/** Partitions of each topic the stack creates (orders, driver-updates, driver-reports, order-updates). */
export const TOPIC_PARTITIONS = 8;

export const DEFAULT_REGIONS: RegionSpec[] = [
  { name: "amsterdam", drivers: 5 },
  { name: "berlin", drivers: 5 },
];

export const DEFAULT_PORTS = {
  kafka: 9092,
  kafkaController: 9093,
  ingress: RESTATE_PORTS.ingress,
  admin: RESTATE_PORTS.admin,
  restateNode: RESTATE_PORTS.node,
  endpoint: 9080,
  restaurant: 9081,
  payment: 9082,
  provider: 9083,
  webui: 3000,
  prometheus: 9090,
  metricsBase: 9464,
};
type Ports = typeof DEFAULT_PORTS;

/** Jaeger's ports for npm start: the OTLP standard ports, and the query API on Jaeger's usual 16686. */
export const DEFAULT_JAEGER_PORTS: JaegerPorts = {
  otlpGrpc: 4317,
  otlpHttp: 4318,
  query: 16686,
  queryGrpc: 16685,
  health: 13133,
};

async function chooseJaegerPorts(free: boolean): Promise<JaegerPorts> {
  if (!free) {
    for (const [what, port] of Object.entries(DEFAULT_JAEGER_PORTS)) await assertPortFree(port, `jaeger ${what}`);
    return DEFAULT_JAEGER_PORTS;
  }
  const entries = await Promise.all(Object.keys(DEFAULT_JAEGER_PORTS).map(async (k) => [k, await freePort()] as const));
  return Object.fromEntries(entries) as unknown as JaegerPorts;
}

async function choosePorts(free: boolean, prometheusPort?: number): Promise<Ports> {
  if (!free) {
    const ports = { ...DEFAULT_PORTS, prometheus: prometheusPort ?? DEFAULT_PORTS.prometheus };
    for (const [what, port] of Object.entries(ports)) if (what !== "metricsBase") await assertPortFree(port, what);
    return ports;
  }
  const entries = await Promise.all(Object.keys(DEFAULT_PORTS).map(async (k) => [k, await freePort()] as const));
  return { ...(Object.fromEntries(entries) as Ports), ...(prometheusPort ? { prometheus: prometheusPort } : {}) };
}

/**
 * The whole platform as local processes: Kafka (KRaft) and restate-server, the service endpoint,
 * the payment and restaurant simulators, registration through the registrar, one driver
 * simulator per region, the order provider and the web UI. Each waits for the one before it to be
 * ready; stop() takes them down in reverse order.
 */
export class Stack {
  readonly info: StackInfo;
  readonly processes = new Map<string, ManagedProcess>();
  private readonly opts: StackOptions;
  private readonly ports: Ports;
  private readonly jaegerPorts?: JaegerPorts;

  private constructor(opts: StackOptions, ports: Ports, info: StackInfo, jaegerPorts?: JaegerPorts) {
    this.opts = opts;
    this.ports = ports;
    this.info = info;
    this.jaegerPorts = jaegerPorts;
  }

  static async start(opts: StackOptions): Promise<Stack> {
    if (Number(process.versions.node.split(".")[0]) < 22) {
      throw new Error(
        `the stack needs Node 22 (found ${process.version}): run it through ` +
          `npm (npm start / npm test), which puts Node 22 first on the PATH`,
      );
    }
    const regions = (opts.regions ?? DEFAULT_REGIONS).map((r) => r.name);
    const uncatalogued = regionsWithoutCatalog(regions, opts.catalog);
    if (uncatalogued.length)
      throw new Error(
        `no catalog entry for region(s) ${uncatalogued.join(", ")}: a region needs ` +
          `one built in (${DEFAULT_REGION_IDS}) or in the catalog file (--catalog)`,
      );
    const ports = await choosePorts(!!opts.freePorts, opts.prometheusPort);
    const jaegerPorts = opts.tracing ? await chooseJaegerPorts(!!opts.freePorts) : undefined;
    const dataDir = path.resolve(opts.dataDir);
    const logDir = path.join(dataDir, "logs");
    const url = (port: number) => `http://127.0.0.1:${port}`;
    const names = ["endpoint", "payment", "restaurant", "provider", "webui", ...regions.map((r) => `drivers-${r}`)];
    const metricsPorts = opts.freePorts
      ? await Promise.all(names.map(() => freePort()))
      : names.map((_, i) => ports.metricsBase + i);
    const info: StackInfo = {
      ingressUrl: url(ports.ingress),
      adminUrl: url(ports.admin),
      restateMetricsUrl: `${url(ports.restateNode)}/metrics`,
      kafkaBrokers: opts.kafkaBrokers ?? [`127.0.0.1:${ports.kafka}`],
      endpointUrl: url(ports.endpoint),
      paymentUrl: url(ports.payment),
      restaurantUrl: url(ports.restaurant),
      providerUrl: url(ports.provider),
      webuiUrl: opts.webui === false ? undefined : url(ports.webui),
      prometheusUrl: opts.prometheus ? url(ports.prometheus) : undefined,
      jaegerUrl: jaegerPorts && url(jaegerPorts.query),
      otlpEndpoint: jaegerPorts && url(jaegerPorts.otlpHttp),
      regions,
      dataDir,
      logDir,
      desiredStateFile: path.join(dataDir, "desired-state.yaml"),
      metrics: Object.fromEntries(names.map((n, i) => [n, `${url(metricsPorts[i]!)}/metrics`])),
      credentials: {
        driverEnrollmentKey: ensureStackSecret(dataDir, "driver-enrollment-key"),
        operatorToken: ensureStackSecret(dataDir, "operator-token"),
        orderSigningKey: ensureStackSecret(dataDir, "order-signing-key"),
      },
    };
    const stack = new Stack(opts, ports, info, jaegerPorts);
    try {
      await stack.bringUp();
    } catch (e) {
      await stack.stop();
      throw e;
    }
    return stack;
  }

  private say(line: string) {
    this.opts.log?.(line);
  }

  private metricsPort(name: string): string {
    return new URL(this.info.metrics[name]!).port;
  }

  /** Where each peer of the topology is, on this stack. */
  private address(peer: Peer): string {
    const { info } = this;
    if (peer === "restate-ingress") return info.ingressUrl;
    if (peer === "restate-admin") return info.adminUrl;
    if (peer === "kafka") return info.kafkaBrokers.join(",");
    const url = { payment: info.paymentUrl, restaurant: info.restaurantUrl, endpoint: info.endpointUrl }[
      peer as string
    ];
    if (!url) throw new Error(`the local stack has no address for ${peer}`);
    return url;
  }

  /** One process of the topology: its entry point, its wiring env, and a lower priority if it is outside world. */
  private nodeProcess(
    component: ComponentName,
    env: Record<string, string | undefined>,
    ready: () => Promise<boolean>,
    name: string = component,
  ): ManagedProcess {
    const { entry, outsideWorld } = TOPOLOGY[component];
    const nice = outsideWorld ? (this.opts.simulatorNice ?? SIMULATOR_NICE) : undefined;
    const p = new ManagedProcess({
      nice,
      name,
      command: process.execPath,
      args: [path.join(REPO_ROOT, entry)],
      cwd: REPO_ROOT,
      env: {
        LOG_LEVEL: "info",
        LOG_FORMAT: "json",
        BIND_HOST: "127.0.0.1",
        METRICS_PORT: this.metricsPort(name),
        // Each process's spans under its stack name (drivers-amsterdam, not just drivers).
        ...(this.info.otlpEndpoint
          ? { OTEL_EXPORTER_OTLP_ENDPOINT: this.info.otlpEndpoint, OTEL_SERVICE_NAME: name }
          : {}),
        ...wiringEnv(component, (peer) => this.address(peer)),
        ...this.opts.env,
        ...env,
        ...this.opts.componentEnv?.[name],
      },
      logDir: this.info.logDir,
      readyTimeoutMs: 30_000,
      ready,
    });
    this.processes.set(name, p);
    return p;
  }

  /** The web UI's process, wired to this stack (its own credentials, Jaeger when tracing). */
  private webuiProcess(): ManagedProcess {
    const { info, ports } = this;
    return this.nodeProcess(
      "webui",
      {
        PORT: String(ports.webui),
        REGIONS: info.regions.join(","),
        STATIC_DIR: path.join(REPO_ROOT, "webui/dist"),
        OPERATOR_TOKEN: info.credentials.operatorToken,
        ORDER_SIGNING_KEY: info.credentials.orderSigningKey,
        // The tracking page's trace reads this Jaeger and links to it (its API: the binary has no UI).
        ...(info.jaegerUrl ? { JAEGER_QUERY_URL: info.jaegerUrl, JAEGER_UI_URL: info.jaegerUrl } : {}),
      },
      () => httpOk(`${info.webuiUrl}/healthz`),
    );
  }

  /** Starts the web UI of a stack started with `webui: "later"` (the bench adds it for one window). */
  async startWebui(): Promise<string> {
    if (!this.info.webuiUrl || this.opts.webui !== "later")
      throw new Error('startWebui() is for a stack started with webui: "later"');
    if (!this.processes.has("webui")) await this.startAll([this.webuiProcess()]);
    return this.info.webuiUrl;
  }

  private async startAll(ps: ManagedProcess[]) {
    await Promise.all(
      ps.map(async (p) => {
        const t = Date.now();
        await p.start();
        this.say(`  ${p.spec.name} ready (${Date.now() - t} ms)`);
      }),
    );
  }

  private async bringUp() {
    const { info, ports, opts } = this;
    fs.mkdirSync(info.logDir, { recursive: true });
    const timeScale = String(opts.timeScale ?? STACK_DEFAULTS.timeScale);
    // Simulated time on the stack's clock: the endpoint and the drivers take the ETA threshold in
    // real ms.
    const etaThreshold =
      opts.env?.ETA_CHANGE_THRESHOLD_MS ?? String(Math.round((ETA_CHANGE_THRESHOLD_S * 1000) / Number(timeScale)));
    const cacheDir = opts.cacheDir ?? path.join(REPO_ROOT, ".cache");

    // Restate signs its requests to the endpoint; the endpoint refuses unsigned ones.
    const identity = ensureRequestIdentity(info.dataDir);
    // The restaurants sign their preparation-done callbacks; the workflow checks them.
    const posSigningKey = ensureStackSecret(info.dataDir, "pos-signing-key");
    // Drivers go on shift with credentials derived from the enrollment key; the twin checks them.
    const { driverEnrollmentKey, operatorToken } = info.credentials;
    // The order producers (provider, web UI) sign order events; order-status/receive checks them.
    const { orderSigningKey } = info.credentials;

    // 1. Infrastructure; Jaeger first, so restate-server's first spans have somewhere to go.
    if (this.jaegerPorts) {
      const jaeger = createJaeger({
        binary: ensureJaeger((s) => this.say(s)),
        dataDir: info.dataDir,
        logDir: info.logDir,
        ports: this.jaegerPorts,
      });
      this.processes.set(jaeger.spec.name, jaeger);
      await this.startAll([jaeger]);
    }
    const infra: ManagedProcess[] = [
      createRestate({
        dataDir: info.dataDir,
        logDir: info.logDir,
        ingressPort: ports.ingress,
        adminPort: ports.admin,
        nodePort: ports.restateNode,
        partitions: this.opts.restatePartitions,
        loglet: this.opts.restateLoglet,
        requestIdentityKeyFile: identity.privateKeyFile,
        tracingEndpoint: this.jaegerPorts && `http://127.0.0.1:${this.jaegerPorts.otlpGrpc}`,
      }),
    ];
    if (!opts.kafkaBrokers)
      infra.push(
        await createKafka({
          dataDir: info.dataDir,
          cacheDir,
          logDir: info.logDir,
          port: ports.kafka,
          controllerPort: ports.kafkaController,
        }),
      );
    for (const p of infra) this.processes.set(p.spec.name, p);
    await this.startAll(infra);
    await ensureTopics(info.kafkaBrokers, [
      { topic: TOPICS.orders, partitions: TOPIC_PARTITIONS },
      { topic: TOPICS.driverUpdates, partitions: TOPIC_PARTITIONS },
      { topic: TOPICS.driverReports, partitions: TOPIC_PARTITIONS },
      { topic: TOPICS.orderUpdates, partitions: TOPIC_PARTITIONS },
    ]);

    // 2. The service endpoint and the external systems it calls.
    await this.startAll([
      this.nodeProcess(
        "payment",
        { PORT: String(ports.payment), LEDGER_FILE: path.join(info.dataDir, "payment-ledger.jsonl") },
        () => httpOk(`${info.paymentUrl}/healthz`),
      ),
      this.nodeProcess(
        "restaurant",
        { PORT: String(ports.restaurant), TIME_SCALE: timeScale, POS_SIGNING_KEY: posSigningKey },
        () => httpOk(`${info.restaurantUrl}/healthz`),
      ),
      this.nodeProcess(
        "endpoint",
        {
          PORT: String(ports.endpoint),
          RESTATE_IDENTITY_KEYS: identity.publicKey,
          POS_SIGNING_KEY: posSigningKey,
          DRIVER_ENROLLMENT_KEY: driverEnrollmentKey,
          OPERATOR_TOKEN: operatorToken,
          ORDER_SIGNING_KEY: orderSigningKey,
          ETA_CHANGE_THRESHOLD_MS: etaThreshold,
        },
        () => httpOk(info.metrics.endpoint!.replace("/metrics", "/healthz")),
      ),
    ]);

    // 3. Registration: the same registrar that runs as the chart's hook Job; it also puts the
    // catalog's regions, so every simulator started next finds its region.
    await this.register();

    // 4. Simulators and the web UI.
    const sims: ManagedProcess[] = (opts.regions ?? DEFAULT_REGIONS).map((r) =>
      this.nodeProcess(
        "drivers",
        {
          REGION: r.name,
          DRIVER_COUNT: String(r.drivers),
          TIME_SCALE: timeScale,
          TICK_MS: String(opts.tickMs ?? STACK_DEFAULTS.tickMs),
          DRIVER_ENROLLMENT_KEY: driverEnrollmentKey,
          ETA_CHANGE_THRESHOLD_MS: etaThreshold,
        },
        () => httpOk(info.metrics[`drivers-${r.name}`]!.replace("/metrics", "/healthz")),
        `drivers-${r.name}`,
      ),
    );
    sims.push(
      this.nodeProcess(
        "provider",
        {
          PORT: String(ports.provider),
          RATE: String(opts.providerRate ?? STACK_DEFAULTS.providerRate),
          REGIONS: info.regions.join(","),
          ORDER_SIGNING_KEY: orderSigningKey,
        },
        () => httpOk(`${info.providerUrl}/healthz`),
      ),
    );
    if (info.webuiUrl && opts.webui !== "later") sims.push(this.webuiProcess());
    await this.startAll(sims);

    // 5. Monitoring: Prometheus scrapes Restate and every Node process, as in Kubernetes.
    if (opts.prometheus) {
      const targets = [
        { job: "restate", url: info.restateMetricsUrl },
        ...Object.entries(info.metrics)
          .filter(([n]) => this.processes.has(n))
          .map(([job, u]) => ({ job, url: u })),
      ];
      const prom = createPrometheus({
        dataDir: info.dataDir,
        logDir: info.logDir,
        port: ports.prometheus,
        targets,
        extraRuleGroups: opts.prometheusExtraRules,
      });
      this.processes.set(prom.spec.name, prom);
      await this.startAll([prom]);
    }
  }

  /** Writes the desired state and runs the registrar once; it converges and exits. */
  async register(): Promise<string> {
    const { info } = this;
    fs.writeFileSync(
      info.desiredStateFile,
      YAML.stringify({
        ...(this.opts.catalog ? { catalog: this.opts.catalog } : {}),
        kafkaClusters: [{ name: "kafka", properties: { "bootstrap.servers": info.kafkaBrokers.join(",") } }],
        endpoints: [{ uri: info.endpointUrl }],
        subscriptions: SUBSCRIPTIONS.map((s) => ({
          source: `kafka://kafka/${s.topic}`,
          sink: s.sink,
          options: { ...CONSUMER_OPTIONS, ...this.opts.consumerOptions },
        })),
      }),
    );
    const t = Date.now();
    try {
      const { stdout, stderr } = await run(process.execPath, [path.join(REPO_ROOT, TOPOLOGY.registrar.entry), "once"], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          ...wiringEnv("registrar", (peer) => this.address(peer)),
          DESIRED_STATE_FILE: info.desiredStateFile,
          OPERATOR_TOKEN: info.credentials.operatorToken,
          LOG_FORMAT: "json",
          METRICS_PORT: "0",
          DEADLINE_MS: "60000",
        },
      });
      fs.appendFileSync(path.join(info.logDir, "registrar.log"), stdout + stderr);
      this.say(`  registrar converged (${Date.now() - t} ms)`);
      return stdout;
    } catch (e) {
      const err = e as Error & { stdout?: string; stderr?: string };
      fs.appendFileSync(path.join(info.logDir, "registrar.log"), `${err.stdout ?? ""}${err.stderr ?? ""}`);
      throw new Error(`registration failed: ${err.message}\n${(err.stderr || err.stdout || "").slice(-2000)}`);
    }
  }

  process(name: string): ManagedProcess {
    const p = this.processes.get(name);
    if (!p) throw new Error(`no process ${name} in this stack (have: ${[...this.processes.keys()].join(", ")})`);
    return p;
  }

  private supervisor?: Supervisor;

  /** From now on a process that dies is reported and restarted with backoff (npm start). */
  supervise(say: (line: string) => void, opts: Omit<SupervisorOptions, "say"> = {}): Supervisor {
    this.supervisor ??= new Supervisor(this.processes.values(), { ...opts, say });
    return this.supervisor;
  }

  async stop(): Promise<void> {
    this.supervisor?.stop();
    // Reverse start order: the simulators first, Kafka and Restate last.
    for (const p of [...this.processes.values()].reverse()) await p.stop();
  }
}
