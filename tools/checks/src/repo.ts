import path from "node:path";

/** The repository's root, for checks that read its files. */
export const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");
