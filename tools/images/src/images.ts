import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { kafkaVersion } from "@food-ordering/stack";
import { podman } from "./engine.ts";
import {
  archivePath,
  imageBytes,
  imageId,
  imageInStore,
  loadArchive,
  readRecord,
  saveArchive,
  writeRecord,
  type BuildRecord,
} from "./archive.ts";
import { kafkaRecipe } from "./kafka-image.ts";
import { dockerfileNodeImage, nodeBaseRecipe } from "./node-base.ts";
import { ensureImageTools } from "./packages.ts";
import { CACHE_DIR, REPO_ROOT } from "./paths.ts";
import { projectRecipe } from "./project-image.ts";
import type { ImageRecipe } from "./recipe.ts";
import { restateRecipe } from "./restate-image.ts";

interface ChartImages {
  global: { image: { repository: string; tag: string | number } };
  restate: { image: { repository: string; tag: string | number } };
}

/** The image names as the Dockerfile, the chart's values and the Kafka pin spell them. */
export function imageNames(root = REPO_ROOT) {
  const values = parse(fs.readFileSync(path.join(root, "charts/food-ordering/values.yaml"), "utf8")) as ChartImages;
  const ref = (i: { repository: string; tag: string | number }) => `${i.repository}:${String(i.tag)}`;
  return {
    node: dockerfileNodeImage(fs.readFileSync(path.join(root, "Dockerfile"), "utf8")),
    project: ref(values.global.image),
    restate: ref(values.restate.image),
    kafka: `apache/kafka:${kafkaVersion()}`,
  };
}

function table(): ImageRecipe[] {
  const n = imageNames();
  const node = nodeBaseRecipe(n.node);
  return [node, projectRecipe(n.project, node), restateRecipe(n.restate), kafkaRecipe(n.kafka)];
}

let cached: ImageRecipe[] | undefined;
/** Every image this package builds, in build order (a base before the images FROM it). */
export const IMAGES = (): ImageRecipe[] => (cached ??= table());

/** Recipes for the given names (short, qualified, or unique prefixes like "kafka"), or all. */
export function selectImages(names: string[] = []): ImageRecipe[] {
  const all = IMAGES();
  if (!names.length) return all;
  return names.map((q) => {
    const hits = all.filter((r) => r.name === q || r.ref === q || r.name.includes(q));
    if (hits.length !== 1)
      throw new Error(
        `"${q}" names ${hits.length ? "several images" : "no image"}; known: ${all.map((r) => r.name).join(", ")}`,
      );
    return hits[0]!;
  });
}

export interface EnsureOptions {
  force?: boolean;
  say?: (s: string) => void;
}

export interface EnsureResult extends BuildRecord {
  built: boolean;
}

/**
 * Builds the images whose inputs changed since their archive was saved (and the bases they
 * need), saves each under ~/.cache/food-ordering/images/ and returns their records.
 */
export async function ensureImages(names: string[] = [], opts: EnsureOptions = {}): Promise<EnsureResult[]> {
  const say = opts.say ?? console.log;
  ensureImageTools(undefined, say);
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const wanted = selectImages(names);
  const results: EnsureResult[] = [];
  const done = new Map<string, EnsureResult>();
  const visit = async (r: ImageRecipe, asBase: boolean): Promise<EnsureResult> => {
    const seen = done.get(r.name);
    if (seen) return seen;
    const bases = await Promise.all(r.needs.map((b) => visit(selectImages([b])[0]!, true)));
    const key = await r.key();
    const record = readRecord(r.ref);
    let result: EnsureResult;
    if (!opts.force && record?.key === key && !bases.some((b) => b.built)) {
      say(`${r.name}: cached (${mb(record.archiveBytes)} archive)`);
      result = { ...record, built: false };
    } else {
      say(`${r.name}: building (${r.how})`);
      const previous = await imageId(r.ref);
      const t0 = performance.now();
      await r.build((s) => say(`[${r.name}] ${s}`));
      // The replaced image would stay in the store untagged; it goes unless a cached build step still uses it.
      if (previous && previous !== (await imageId(r.ref))) await podman(["rmi", previous], { allowFail: true });
      const buildSeconds = Math.round((performance.now() - t0) / 100) / 10;
      const archive = await saveArchive(r.ref);
      result = {
        name: r.name,
        ref: r.ref,
        key,
        archive,
        archiveBytes: fs.statSync(archive).size,
        imageBytes: await imageBytes(r.ref),
        buildSeconds,
        builtAt: new Date().toISOString(),
        built: true,
      };
      writeRecord(result);
      say(`${r.name}: built in ${buildSeconds} s, ${mb(result.imageBytes)} (archive ${mb(result.archiveBytes)})`);
    }
    // A base must be in the store for the build FROM it (the store may have been wiped).
    if (asBase && !(await imageInStore(r.ref))) await loadArchive(result.archive);
    // A new base voids every cached build step (the untagged images) made on the old one.
    if (asBase && result.built) await podman(["image", "prune", "-f"], { allowFail: true });
    done.set(r.name, result);
    return result;
  };
  for (const r of wanted) results.push(await visit(r, false));
  return results;
}

export interface ImageStatus {
  name: string;
  ref: string;
  how: string;
  archive: string;
  record?: BuildRecord;
  upToDate: boolean;
}

/** Each image with its saved archive (if any) and whether its inputs changed since. */
export async function listImages(): Promise<ImageStatus[]> {
  return await Promise.all(
    IMAGES().map(async (r) => {
      const record = readRecord(r.ref);
      return {
        name: r.name,
        ref: r.ref,
        how: r.how,
        archive: archivePath(r.ref),
        record,
        upToDate: !!record && record.key === (await r.key()),
      };
    }),
  );
}

export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
