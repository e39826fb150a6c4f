export {
  IMAGES,
  ensureImages,
  listImages,
  selectImages,
  imageNames,
  monitoringImageNames,
  MONITORING,
  TRACING,
  type EnsureResult,
  type ImageStatus,
} from "./images.ts";
export { loadImages, K8S_NAMESPACE } from "./load.ts";
export { IMAGE_PACKAGES, ensureImageTools } from "./packages.ts";
export { podman, containersEnv, RUN_FLAGS, ULIMIT_FLAGS, GLOBAL_FLAGS } from "./engine.ts";
export { archivePath, readRecord, type BuildRecord } from "./archive.ts";
export { qualify, type ImageRecipe } from "./recipe.ts";
export { KAFKA_TOOLS } from "./kafka-image.ts";
export { CACHE_DIR, DEFAULT_CONTAINERD_SOCKET } from "./paths.ts";
export { startDockerApi, type DockerApi } from "./docker-api.ts";
export { skaffoldBuild, skaffoldDeployTag } from "./skaffold-build.ts";
export { skaffoldSession, type SkaffoldSession } from "./skaffold.ts";
