import os from "node:os";
import { ApiException, CoreV1Api, KubeConfig, type V1ConfigMap, type V1Service, Watch } from "@kubernetes/client-node";
import type { Logger } from "@food-ordering/kit";
import { reconcileEvent, statusConfigMap } from "./kube.ts";
import type { ReconcileResult } from "./reconcile.ts";

/**
 * The few Kubernetes API calls the registrar makes (RBAC in docs/registrar.md): list and watch
 * the labelled Services, get and watch the desired-state ConfigMap, write the status ConfigMap
 * and create Events. Every object it sends is built by the pure functions in kube.ts.
 */
export class KubeClient {
  private readonly kc: KubeConfig;
  private readonly core: CoreV1Api;
  readonly namespace: string;

  constructor(namespace: string, kc?: KubeConfig) {
    this.namespace = namespace;
    this.kc = kc ?? KubeClient.loadConfig();
    this.core = this.kc.makeApiClient(CoreV1Api);
  }

  /** In a pod: the service account; elsewhere: the kubeconfig ($KUBECONFIG or ~/.kube/config). */
  static loadConfig(): KubeConfig {
    const kc = new KubeConfig();
    if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
    else kc.loadFromDefault();
    return kc;
  }

  async listServices(labelSelector: string): Promise<V1Service[]> {
    return (await this.core.listNamespacedService({ namespace: this.namespace, labelSelector })).items;
  }

  async readConfigMap(name: string): Promise<V1ConfigMap | undefined> {
    try {
      return await this.core.readNamespacedConfigMap({ name, namespace: this.namespace });
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw err;
    }
  }

  /** Creates or replaces the status ConfigMap. */
  async writeStatus(name: string, r: ReconcileResult): Promise<void> {
    const previous = await this.readConfigMap(name);
    const body = statusConfigMap(name, this.namespace, r, previous);
    if (previous) await this.core.replaceNamespacedConfigMap({ name, namespace: this.namespace, body });
    else await this.core.createNamespacedConfigMap({ namespace: this.namespace, body });
  }

  async emitEvent(r: ReconcileResult, on: { name: string; uid?: string }): Promise<void> {
    const body = reconcileEvent(r, { ...on, namespace: this.namespace }, { now: new Date(), instance: os.hostname() });
    await this.core.createNamespacedEvent({ namespace: this.namespace, body });
  }

  /**
   * Calls `onChange` when a labelled Service or the desired-state ConfigMap changes. A watch that
   * ends (the API server closes them every few minutes, or the connection drops) is restarted.
   */
  watch(
    targets: { labelSelector?: string; configMap?: string },
    onChange: (why: string) => void,
    log: Logger,
  ): () => void {
    const w = new Watch(this.kc);
    const controllers: AbortController[] = [];
    let stopped = false;
    const start = (path: string, query: Record<string, string>, what: string) => {
      if (stopped) return;
      void w
        .watch(
          path,
          query,
          (phase, obj: { metadata?: { name?: string } }) => {
            // The initial ADDED burst of a (re)started watch also triggers one pass: harmless, it converges.
            onChange(`${what} ${obj.metadata?.name ?? "?"} ${phase.toLowerCase()}`);
          },
          (err) => {
            if (stopped) return;
            if (err) log.warn({ err: (err as Error).message, what }, "watch ended, restarting");
            setTimeout(() => start(path, query, what), err ? 2000 : 0).unref();
          },
        )
        .then((c) => controllers.push(c))
        .catch((err: Error) => {
          log.warn({ err: err.message, what }, "watch failed to start, retrying");
          setTimeout(() => start(path, query, what), 2000).unref();
        });
    };
    const base = `/api/v1/namespaces/${this.namespace}`;
    if (targets.labelSelector) start(`${base}/services`, { labelSelector: targets.labelSelector }, "Service");
    if (targets.configMap)
      start(`${base}/configmaps`, { fieldSelector: `metadata.name=${targets.configMap}` }, "ConfigMap");
    return () => {
      stopped = true;
      for (const c of controllers) c.abort();
    };
  }
}
