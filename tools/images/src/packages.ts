import { ensureSystemPackages, type SystemPackage } from "@food-ordering/stack";

/** Debian packages that build, run and load the images without a Docker engine. */
export const IMAGE_PACKAGES: SystemPackage[] = [
  { command: "podman", args: ["--version"], pkg: "podman", why: "builds the project image and runs the image checks" },
  {
    command: "buildah",
    args: ["--version"],
    pkg: "buildah",
    why: "assembles the stand-in images from root file systems",
  },
  // crun refuses this kind of host (cgroup v1 with a cgroup2 tree beside it); runc copes.
  { command: "runc", args: ["--version"], pkg: "runc", why: "the OCI runtime for build steps and checks" },
  {
    command: "mmdebstrap",
    args: ["--version"],
    pkg: "mmdebstrap",
    why: "Debian bookworm root file systems for the base images",
  },
  { command: "ctr", args: ["--version"], pkg: "containerd", why: "imports the archives into a node's containerd" },
  { command: "mvn", args: ["-v"], pkg: "maven", why: "resolves the Kafka jars from Maven Central" },
];

/** Installs what is missing (apt-get as root), or fails naming the packages. */
export function ensureImageTools(which?: string[], say: (s: string) => void = console.log): void {
  ensureSystemPackages(which, say, IMAGE_PACKAGES);
}
