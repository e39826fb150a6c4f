import { Command } from "commander";
import { ensureImages, listImages, mb } from "./images.ts";
import { loadImages } from "./load.ts";
import { DEFAULT_CONTAINERD_SOCKET } from "./paths.ts";

/** `npm run images -- <build|load|list>`: the cluster's images without Docker. */
const program = new Command("npm run images --").description(
  "Build the OCI images the chart runs (project image and stand-ins) with podman/buildah, " +
    "cache them under ~/.cache/food-ordering/images/, and load them into a node's containerd.",
);

program
  .command("build")
  .argument(
    "[names...]",
    "images to build (default: all but the opt-in groups `monitoring` and `tracing`); a unique part of the name is enough, e.g. kafka",
  )
  .option("--force", "rebuild even when the inputs are unchanged")
  .description("build the images whose inputs changed and save each as a docker-archive tarball")
  .action(async (names: string[], o: { force?: boolean }) => {
    const t0 = performance.now();
    const results = await ensureImages(names, { force: o.force });
    for (const r of results)
      console.log(
        `${r.built ? "built " : "cached"}  ${r.ref}  ${mb(r.imageBytes)}  ${r.built ? `${r.buildSeconds} s` : ""}`,
      );
    console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  });

program
  .command("load")
  .argument("[names...]", "images to import (default: all but the opt-in groups `monitoring` and `tracing`)")
  .option("--containerd-socket <path>", "the node's containerd socket", DEFAULT_CONTAINERD_SOCKET)
  .description("import the saved archives into containerd's k8s.io namespace (ctr images import)")
  .action(async (names: string[], o: { containerdSocket: string }) => {
    const loaded = await loadImages(o.containerdSocket, names);
    console.log(`imported ${loaded.length} image(s): ${loaded.join(", ")}`);
  });

program
  .command("list")
  .description("the images, how each is built, and whether its saved archive is current")
  .action(async () => {
    for (const s of await listImages()) {
      const state = !s.record ? "missing" : s.upToDate ? "current" : "stale";
      const size = s.record ? `${mb(s.record.imageBytes)} (archive ${mb(s.record.archiveBytes)})` : "";
      const optIn = s.group ? `\n  opt-in: built by \`images build ${s.group}\`` : "";
      console.log(`${s.ref}\n  ${state} ${size}\n  ${s.how}${optIn}\n  ${s.archive}`);
    }
  });

await program.parseAsync(process.argv);
