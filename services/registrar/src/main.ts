import { Command, Option } from "commander";
import { ConfigError, createLogger, createRegistry, onShutdown, startMetricsServer } from "@food-ordering/kit";
import { registrarConfig } from "./config.ts";
import { EXIT_CODES } from "./reconcile.ts";
import { kubeFor, runPass, runWatch } from "./runner.ts";

/**
 * The registrar CLI: `once` (the Helm hook Job, `npm run register`) converges and exits with a
 * code per outcome; `watch` keeps converging until SIGTERM. Configuration is the environment
 * (config.ts); the flags only choose what to do.
 */
const program = new Command()
  .name("registrar")
  .description("Converges Restate's endpoints, Kafka clusters and subscriptions to the desired state.")
  .addOption(new Option("--dry-run", "print the plan, change nothing").default(false))
  .addOption(
    new Option(
      "--force",
      "re-register endpoints (and re-send Kafka cluster properties) even when unchanged or incompatible",
    ).default(false),
  )
  .showHelpAfterError();

async function setup(opts: { dryRun: boolean; force: boolean }) {
  let config;
  try {
    config = registrarConfig.parse();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(EXIT_CODES.invalid);
  }
  const log = createLogger("registrar", config);
  // /healthz and /metrics on METRICS_PORT (0 = off, the local default): the chart probes them.
  await startMetricsServer(createRegistry("registrar"), config.METRICS_PORT, config.BIND_HOST);
  let kube;
  try {
    kube = await kubeFor(config);
  } catch (err) {
    log.fatal((err as Error).message);
    process.exit(EXIT_CODES.invalid);
  }
  return { config, log, kube, flags: { dryRun: opts.dryRun, force: opts.force } };
}

program
  .command("once", { isDefault: true })
  .description(
    "converge once and exit: 0 converged (or planned, with --dry-run), 2 invalid desired state, 3 rejected by Restate, 4 Restate or an endpoint not ready before DEADLINE_MS, 5 failed while applying",
  )
  .action(async () => {
    const { config, log, kube, flags } = await setup(program.opts());
    const r = await runPass(config, flags, log, kube);
    if (r.outcome === "planned")
      process.stdout.write(
        `${r.changes.length ? r.changes.map((c) => `would ${c}`).join("\n") : "no changes needed"}\n`,
      );
    // Exit explicitly (idle keep-alive connections to Restate would hold the process a few
    // seconds), but only once the log lines are out.
    log.flush(() => process.exit(EXIT_CODES[r.outcome]));
  });

program
  .command("watch")
  .description(
    "converge now, on every change of the desired state or the labelled Services, and every WATCH_INTERVAL_MS",
  )
  .action(async () => {
    const { config, log, kube, flags } = await setup(program.opts());
    const stop = runWatch(config, flags, log, kube);
    // A pass cut short by the grace period is harmless: every step is idempotent and the next run resumes.
    onShutdown(log, [stop], Math.min(config.DEADLINE_MS, 10_000));
  });

await program.parseAsync(process.argv);
