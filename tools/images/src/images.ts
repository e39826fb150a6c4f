import fs from "node:fs";
import path from "node:path";
import { parse, parseAllDocuments } from "yaml";
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
import { goBinaryRecipe } from "./go-binary-image.ts";
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
  tracing: { jaeger: { image: { repository: string; tag: string | number } } };
}

interface ManifestObject {
  kind: string;
  spec?: { image?: string; template?: { spec: { containers: Array<{ image: string; args?: string[] }> } } };
}

/** The images k8s/monitoring/ runs: the operator's, the config reloader it is told of, the Prometheus CR's. */
export function monitoringImageNames(root = REPO_ROOT) {
  const objects = ["operator.yaml", "prometheus.yaml"].flatMap((f) =>
    parseAllDocuments(fs.readFileSync(path.join(root, "k8s/monitoring", f), "utf8")).map(
      (d) => d.toJS() as ManifestObject,
    ),
  );
  const operator = objects.find((o) => o.kind === "Deployment")?.spec?.template?.spec.containers[0];
  const reloader = operator?.args?.find((a) => a.startsWith("--prometheus-config-reloader="))?.split("=")[1];
  const prometheus = objects.find((o) => o.kind === "Prometheus")?.spec?.image;
  if (!operator || !reloader || !prometheus)
    throw new Error("k8s/monitoring/ names no operator image, --prometheus-config-reloader or Prometheus image");
  return { operator: operator.image, reloader, prometheus };
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
    jaeger: ref(values.tracing.jaeger.image),
  };
}

function table(): ImageRecipe[] {
  const n = imageNames();
  const node = nodeBaseRecipe(n.node);
  const m = monitoringImageNames();
  return [
    node,
    projectRecipe(n.project, node),
    restateRecipe(n.restate),
    kafkaRecipe(n.kafka),
    goBinaryRecipe(m.operator, "prometheus-operator", "/bin/operator", MONITORING),
    goBinaryRecipe(m.reloader, "prometheus-config-reloader", "/bin/prometheus-config-reloader", MONITORING),
    goBinaryRecipe(m.prometheus, "prometheus", "/bin/prometheus", MONITORING),
    goBinaryRecipe(n.jaeger, "jaeger", "/cmd/jaeger/jaeger-linux", TRACING, { stamped: false }),
  ];
}

let cached: ImageRecipe[] | undefined;
/** Every image this package builds, in build order (a base before the images FROM it). */
export const IMAGES = (): ImageRecipe[] => (cached ??= table());

/** The opt-in group of the node's prometheus-operator and Prometheus (k8s/monitoring/). */
export const MONITORING = "monitoring";
/** The opt-in group of the chart's bundled Jaeger (values tracing.jaeger). */
export const TRACING = "tracing";

/**
 * Recipes for the given names (short, qualified, unique parts like "kafka", or a group such as
 * "monitoring"), or every image outside a group.
 */
export function selectImages(names: string[] = []): ImageRecipe[] {
  const all = IMAGES();
  if (!names.length) return all.filter((r) => !r.group);
  return names.flatMap((q) => {
    const group = all.filter((r) => r.group === q);
    if (group.length) return group;
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
    // In the store, whatever removed it (a wiped store; skaffold pruning an identical build by
    // image ID with force drops every tag on it): bases for the builds FROM them, the rest to run.
    if (!(await imageInStore(r.ref))) await loadArchive(result.archive);
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
  group?: string;
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
        group: r.group,
        archive: archivePath(r.ref),
        record,
        upToDate: !!record && record.key === (await r.key()),
      };
    }),
  );
}

export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
