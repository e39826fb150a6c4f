/** How one image is made; `images.ts` holds the table of all of them. */
export interface ImageRecipe {
  /** The name the chart or the Dockerfile uses. */
  name: string;
  /** The same name fully qualified, as kubelet and containerd resolve it (docker.io/library/…). */
  ref: string;
  /** One line on how it is built, for `list`. */
  how: string;
  /** Images that must be in the local store before this one builds (FROM). */
  needs: string[];
  /**
   * Opt-in images (e.g. "monitoring"): left out of a build or load of every image, and built when
   * asked for by name or by this group's name, so the default build does not grow.
   */
  group?: string;
  /** A hash of everything the image is made from: unchanged key, no rebuild. */
  key(): Promise<string>;
  /** Builds the image into the private podman store under `ref`. */
  build(say: (s: string) => void): Promise<void>;
}

/** "node:22" -> "docker.io/library/node:22"; "apache/kafka:4" -> "docker.io/apache/kafka:4". */
export function qualify(name: string): string {
  const first = name.split("/")[0]!;
  const hasRegistry = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasRegistry) return name;
  return name.includes("/") ? `docker.io/${name}` : `docker.io/library/${name}`;
}

export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** A word for the shell hooks of mmdebstrap, quoted. */
export const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
