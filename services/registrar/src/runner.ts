import fs from "node:fs";
import path from "node:path";
import type { Logger } from "@food-ordering/kit";
import type { RegistrarConfig } from "./config.ts";
import { type DesiredState, DesiredStateError, loadDesiredStateFile, withEndpoints } from "./desired-state.ts";
import { desiredStateOfConfigMap, endpointsOfServices, shouldEmitEvent } from "./kube.ts";
import type { KubeClient } from "./kube-client.ts";
import { type Outcome, reconcile, type ReconcileResult, summaryLine } from "./reconcile.ts";
import { convergeCatalog } from "./catalog.ts";

export interface RunFlags {
  dryRun: boolean;
  force: boolean;
}

/**
 * The Kubernetes API is used only when the configuration names something to read or write there.
 * The client library is loaded only then: it is large, and `npm run register` should start fast.
 */
export async function kubeFor(config: RegistrarConfig): Promise<KubeClient | undefined> {
  const wanted = config.DISCOVERY_LABEL_SELECTOR || config.STATUS_CONFIGMAP || config.DESIRED_STATE_CONFIGMAP;
  if (!wanted) return undefined;
  if (!config.NAMESPACE)
    throw new Error(
      "NAMESPACE must be set when DISCOVERY_LABEL_SELECTOR, STATUS_CONFIGMAP or DESIRED_STATE_CONFIGMAP is",
    );
  const { KubeClient } = await import("./kube-client.ts");
  return new KubeClient(config.NAMESPACE);
}

/**
 * The desired state of this pass: the ConfigMap through the API when one is named (so watch mode
 * sees an edit at once, not after the kubelet refreshes the mounted file), else the file; plus
 * the endpoints of the labelled Services.
 */
export async function loadDesired(config: RegistrarConfig, kube?: KubeClient): Promise<DesiredState> {
  let desired: DesiredState;
  if (kube && config.DESIRED_STATE_CONFIGMAP) {
    const cm = await kube.readConfigMap(config.DESIRED_STATE_CONFIGMAP);
    if (!cm)
      throw new DesiredStateError(`ConfigMap ${kube.namespace}/${config.DESIRED_STATE_CONFIGMAP}`, ["not found"]);
    desired = desiredStateOfConfigMap(cm, path.basename(config.DESIRED_STATE_FILE));
  } else desired = loadDesiredStateFile(config.DESIRED_STATE_FILE);
  if (kube && config.DISCOVERY_LABEL_SELECTOR) {
    const found = endpointsOfServices(await kube.listServices(config.DISCOVERY_LABEL_SELECTOR));
    if (found.problems.length)
      throw new DesiredStateError(`Services matching ${config.DISCOVERY_LABEL_SELECTOR}`, found.problems);
    desired = withEndpoints(desired, found.uris);
  }
  return desired;
}

/** One pass: load, reconcile, log the summary line, report to Kubernetes. Never throws. */
export async function runPass(
  config: RegistrarConfig,
  flags: RunFlags,
  log: Logger,
  kube?: KubeClient,
  previousOutcome?: Outcome,
): Promise<ReconcileResult> {
  const startedAt = new Date();
  let result: ReconcileResult;
  try {
    const desired = await loadDesired(config, kube);
    result = await reconcile(desired, {
      adminUrl: config.RESTATE_ADMIN_URL,
      owner: config.OWNER,
      force: flags.force || config.FORCE,
      statisticsIntervalMs: config.KAFKA_STATISTICS_INTERVAL_MS,
      dryRun: flags.dryRun,
      deadlineMs: config.DEADLINE_MS,
      log,
    });
    if (desired.catalog)
      result = await convergeCatalog(
        desired.catalog,
        {
          ingressUrl: config.RESTATE_INGRESS_URL,
          operatorToken: config.OPERATOR_TOKEN,
          deadlineMs: config.DEADLINE_MS,
          dryRun: flags.dryRun,
        },
        result,
      );
  } catch (err) {
    // Only loading can throw here: a bad desired state, or the Kubernetes API failing us.
    const kind = err instanceof DesiredStateError ? "invalid" : "unavailable";
    result = {
      outcome: kind,
      changes: [],
      notes: [],
      problems: [{ kind, message: (err as Error).message }],
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
    };
  }
  const fields = {
    result: result.outcome,
    changes: result.changes,
    notes: result.notes,
    problems: result.problems,
    durationMs: result.durationMs,
  };
  if (result.outcome === "converged" || result.outcome === "planned") log.info(fields, summaryLine(result));
  else log.error(fields, summaryLine(result));
  // A dry run writes nothing anywhere, not even a status.
  if (kube && !flags.dryRun) await report(config, kube, result, log, previousOutcome);
  return result;
}

/** Status ConfigMap and Events; a failure to report is logged, never turned into a failed pass. */
async function report(
  config: RegistrarConfig,
  kube: KubeClient,
  r: ReconcileResult,
  log: Logger,
  previousOutcome?: Outcome,
): Promise<void> {
  if (config.STATUS_CONFIGMAP)
    await kube
      .writeStatus(config.STATUS_CONFIGMAP, r)
      .catch((err: Error) => log.warn({ err: err.message }, "cannot write the status ConfigMap"));
  if (config.DESIRED_STATE_CONFIGMAP && shouldEmitEvent(r, previousOutcome)) {
    const cm = await kube.readConfigMap(config.DESIRED_STATE_CONFIGMAP).catch(() => undefined);
    await kube
      .emitEvent(r, { name: config.DESIRED_STATE_CONFIGMAP, uid: cm?.metadata?.uid })
      .catch((err: Error) => log.warn({ err: err.message }, "cannot create the Event"));
  }
}

/**
 * Watch mode: a pass at start, on every change of a labelled Service or the desired-state
 * ConfigMap (or, outside Kubernetes, of the desired-state file), and every WATCH_INTERVAL_MS to
 * repair drift. Changes arriving together make one pass; passes never overlap. Returns a stop function.
 */
export function runWatch(
  config: RegistrarConfig,
  flags: RunFlags,
  log: Logger,
  kube?: KubeClient,
): () => Promise<void> {
  let previous: Outcome | undefined;
  let running: Promise<void> | undefined;
  let pending: string | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let debounce: NodeJS.Timeout | undefined;

  const pass = (why: string) => {
    if (stopped) return;
    if (running) {
      pending = why;
      return;
    }
    clearTimeout(timer);
    log.info({ why }, "reconciling");
    running = runPass(config, flags, log, kube, previous).then((r) => {
      previous = r.outcome;
      running = undefined;
      if (stopped) return;
      timer = setTimeout(() => pass("periodic"), config.WATCH_INTERVAL_MS);
      if (pending) {
        const again = pending;
        pending = undefined;
        pass(again);
      }
    });
  };
  const changed = (why: string) => {
    clearTimeout(debounce);
    debounce = setTimeout(() => pass(why), 500);
  };
  const stopKube = kube?.watch(
    { labelSelector: config.DISCOVERY_LABEL_SELECTOR, configMap: config.DESIRED_STATE_CONFIGMAP },
    changed,
    log,
  );
  const file = kube && config.DESIRED_STATE_CONFIGMAP ? undefined : config.DESIRED_STATE_FILE;
  const onFile = () => changed(`${file} changed`);
  if (file) fs.watchFile(file, { interval: 1000 }, onFile);
  pass("start");
  return async () => {
    stopped = true;
    clearTimeout(timer);
    clearTimeout(debounce);
    stopKube?.();
    if (file) fs.unwatchFile(file, onFile);
    await running;
  };
}
