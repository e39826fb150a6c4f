import fs from "node:fs";
import path from "node:path";
import { kubectl } from "./kubectl.ts";
import { CLUSTER, CLUSTER_PATHS } from "./paths.ts";

/**
 * Storage as kind gives it: a default StorageClass, so a chart's PersistentVolumeClaims bind
 * without naming one. kind runs a dynamic provisioner; here a pool of hostPath volumes under
 * .data/cluster/volumes is kept ready instead. The in-tree hostPath provisioner is no use: it
 * makes root-owned 0750 directories, which the chart's non-root pods cannot write.
 * Released volumes (their claim is gone) are wiped and offered again, as Delete would.
 */
export const STORAGE_CLASS = "standard";
const POOL_SIZE = 8;
const CAPACITY = "20Gi";
const volumesDir = path.join(CLUSTER_PATHS.root, "volumes");

interface PersistentVolume {
  metadata: { name: string };
  status?: { phase?: string };
}

function volume(name: string) {
  const dir = path.join(volumesDir, name);
  fs.rmSync(dir, { recursive: true, force: true });
  // World-writable: a hostPath volume ignores fsGroup, and each chart picks its own uid.
  fs.mkdirSync(dir, { recursive: true, mode: 0o777 });
  fs.chmodSync(dir, 0o777);
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, labels: { "food-ordering.io/volume-pool": "true" } },
    spec: {
      storageClassName: STORAGE_CLASS,
      capacity: { storage: CAPACITY },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Retain",
      hostPath: { path: dir, type: "Directory" },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [CLUSTER.nodeName] }] },
          ],
        },
      },
    },
  };
}

/** The default StorageClass and a full pool of unclaimed volumes. Idempotent. */
export function ensureStorage(): void {
  kubectl(
    ["apply", "-f", "-"],
    JSON.stringify({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: STORAGE_CLASS, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "kubernetes.io/no-provisioner",
      volumeBindingMode: "WaitForFirstConsumer",
      reclaimPolicy: "Retain",
    }),
  );
  const pvs = (
    JSON.parse(kubectl(["get", "pv", "-l", "food-ordering.io/volume-pool=true", "-o", "json"])) as {
      items: PersistentVolume[];
    }
  ).items;
  const released = pvs.filter((pv) => pv.status?.phase === "Released" || pv.status?.phase === "Failed");
  for (const pv of released) kubectl(["delete", "pv", pv.metadata.name, "--wait=true"]);
  const kept = new Set(pvs.filter((pv) => !released.includes(pv)).map((pv) => pv.metadata.name));
  const wanted = Array.from({ length: POOL_SIZE }, (_, i) => `pool-${i}`).filter((n) => !kept.has(n));
  if (wanted.length)
    kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: wanted.map(volume) }));
}
