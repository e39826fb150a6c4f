import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "@food-ordering/stack";

/**
 * Image archives, their build records, the image store and everything fetched to build them.
 * Beside the node's built binaries, outside the checkout: a fresh clone (CI's, a second
 * worktree) reuses every image whose inputs it shares instead of building them again.
 */
export const CACHE_DIR = path.join(os.homedir(), ".cache", "food-ordering", "images");
/** Where `load` finds the node's containerd by default (tools/cluster runs it there). */
export const DEFAULT_CONTAINERD_SOCKET = path.join(REPO_ROOT, ".data", "cluster", "run", "containerd.sock");
/** Files baked into the stand-in images (scripts, configs), kept as real files so they can be read and tested. */
export const ASSETS_DIR = path.resolve(import.meta.dirname, "..", "assets");
export { REPO_ROOT };
