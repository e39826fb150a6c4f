import path from "node:path";
import { REPO_ROOT } from "@food-ordering/stack";

/** Image archives, their build records and everything fetched to build them (gitignored). */
export const CACHE_DIR = path.join(REPO_ROOT, ".cache", "images");
/** Where `load` finds the node's containerd by default (tools/cluster runs it there). */
export const DEFAULT_CONTAINERD_SOCKET = path.join(REPO_ROOT, ".data", "cluster", "run", "containerd.sock");
/** Files baked into the stand-in images (scripts, configs), kept as real files so they can be read and tested. */
export const ASSETS_DIR = path.resolve(import.meta.dirname, "..", "assets");
export { REPO_ROOT };
