import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildImageArchive, hasImage, importImage, pinImage } from "./images.ts";
import { CLUSTER_PATHS } from "./paths.ts";

/** The pod sandbox image, built here (nothing can be pulled); containerd's sandbox_image names it. */
export const PAUSE_IMAGE = "localhost/food-ordering/pause:1.0";

// The sandbox's init: holds the pod's namespaces open, reaps orphans, exits 0 when stopped.
const PAUSE_C = `#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int sig) { (void)sig; _exit(0); }
static void reap(int sig) { (void)sig; while (waitpid(-1, NULL, WNOHANG) > 0) {} }

int main(void) {
  struct sigaction down = {.sa_handler = stop};
  struct sigaction child = {.sa_handler = reap, .sa_flags = SA_NOCLDSTOP};
  sigaction(SIGINT, &down, NULL);
  sigaction(SIGTERM, &down, NULL);
  sigaction(SIGCHLD, &child, NULL);
  for (;;) pause();
}
`;

/** Compiles, packs and imports the pause image unless containerd already has it. */
export function ensurePauseImage(): void {
  if (hasImage(PAUSE_IMAGE)) return;
  const dir = CLUSTER_PATHS.images;
  fs.mkdirSync(dir, { recursive: true });
  const archive = path.join(dir, "pause.tar");
  if (!fs.existsSync(archive)) {
    const src = path.join(dir, "pause.c");
    const bin = path.join(dir, "pause");
    fs.writeFileSync(src, PAUSE_C);
    execFileSync("gcc", ["-static", "-Os", "-s", "-o", bin, src], { stdio: ["ignore", "pipe", "pipe"] });
    buildImageArchive(PAUSE_IMAGE, [{ at: "/pause", from: bin }], ["/pause"], archive);
  }
  importImage(archive);
  pinImage(PAUSE_IMAGE);
}
