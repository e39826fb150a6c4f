export { clusterUp, type ClusterInfo, type UpOptions } from "./up.ts";
export { clusterDown, type DownOptions } from "./down.ts";
export { clusterStatus, type ClusterStatus } from "./status.ts";
export { CLUSTER, CLUSTER_PATHS, CACHE_DIR } from "./paths.ts";
export {
  ensureGoTool,
  ensureKubernetesBinaries,
  GO_TOOLS,
  goToolBinary,
  kubeBinary,
  KUBE_COMMANDS,
  KUBE_VERSION,
  PROMETHEUS_OPERATOR_VERSION,
  type GoTool,
  type KubeCommand,
} from "./binaries.ts";
export { buildImageArchive, hasImage, importImage, pinImage, type ImageFile } from "./images.ts";
export { PAUSE_IMAGE } from "./pause.ts";
export { ensureKubectl, kubectl, KUBECTL } from "./kubectl.ts";
export { leftovers } from "./network.ts";
export { CLUSTER_PACKAGES } from "./packages.ts";
export { ensureStorage, STORAGE_CLASS } from "./storage.ts";
export { BIN_DIR, installKubeTools, ToolInstallError, type KubeTools } from "./kube-tools.ts";
