import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildContextFiles, dockerignored, hashParts, parseDockerignore } from "../../src/cache.ts";
import { changes } from "../../src/import.ts";
import { imageNames, MONITORING, monitoringImageNames, selectImages, TRACING } from "../../src/images.ts";
import { KAFKA_TOOLS, toolWrapper } from "../../src/kafka-image.ts";
import { ctrImportArgs } from "../../src/load.ts";
import { bundledNpmVersion, dockerfileNodeImage, nodeVersionOf } from "../../src/node-base.ts";
import { REPO_ROOT } from "../../src/paths.ts";
import { qualify, shq } from "../../src/recipe.ts";
import { mmdebstrapArgs } from "../../src/rootfs.ts";
import { slug } from "../../src/archive.ts";

describe("image names", () => {
  it("are the ones the Dockerfile, the chart and the Kafka pin use", () => {
    const n = imageNames();
    expect(n.node).toMatch(/^node:22\.\d+\.\d+-bookworm-slim$/);
    expect(n.project).toBe("food-ordering:dev");
    expect(n.restate).toMatch(/^docker\.restate\.dev\/restatedev\/restate:1\.7\.\d+$/);
    expect(n.kafka).toMatch(/^apache\/kafka:4\.\d+\.\d+$/);
    expect(n.jaeger).toMatch(/^jaegertracing\/jaeger:2\.\d+\.\d+$/);
  });

  it("qualify as kubelet resolves them", () => {
    expect(qualify("food-ordering:dev")).toBe("docker.io/library/food-ordering:dev");
    expect(qualify("node:22.23.3-bookworm-slim")).toBe("docker.io/library/node:22.23.3-bookworm-slim");
    expect(qualify("apache/kafka:4.1.2")).toBe("docker.io/apache/kafka:4.1.2");
    expect(qualify("docker.restate.dev/restatedev/restate:1.7.12")).toBe(
      "docker.restate.dev/restatedev/restate:1.7.12",
    );
    expect(qualify("localhost:5000/x:1")).toBe("localhost:5000/x:1");
  });

  it("of the monitoring group are k8s/monitoring/'s, built only when the group or one of them is named", () => {
    const m = monitoringImageNames();
    expect(m.operator).toMatch(/^quay\.io\/prometheus-operator\/prometheus-operator:v0\.\d+\.\d+$/);
    expect(m.reloader).toMatch(/^quay\.io\/prometheus-operator\/prometheus-config-reloader:v0\.\d+\.\d+$/);
    expect(m.prometheus).toMatch(/^quay\.io\/prometheus\/prometheus:v3\.\d+\.\d+$/);
    const names = (rs: Array<{ name: string }>) => rs.map((r) => r.name);
    expect(names(selectImages()).some((n) => Object.values(m).includes(n))).toBe(false);
    expect(names(selectImages([MONITORING]))).toEqual([m.operator, m.reloader, m.prometheus]);
    expect(names(selectImages(["config-reloader"]))).toEqual([m.reloader]);
  });

  it("of the tracing group is the chart's bundled Jaeger, built only when asked for", () => {
    const { jaeger } = imageNames();
    expect(selectImages().some((r) => r.name === jaeger)).toBe(false);
    expect(selectImages([TRACING]).map((r) => [r.name, r.how])).toEqual([
      [jaeger, expect.stringContaining("as /cmd/jaeger/jaeger-linux")],
    ]);
  });

  it("give distinct archive file names", () => {
    expect(slug("docker.io/apache/kafka:4.1.2")).toBe("docker.io_apache_kafka_4.1.2");
  });
});

describe("node base", () => {
  it("takes the Node version from the Dockerfile's NODE_IMAGE", () => {
    const df = fs.readFileSync(path.join(REPO_ROOT, "Dockerfile"), "utf8");
    expect(nodeVersionOf(dockerfileNodeImage(df))).toMatch(/^22\.\d+\.\d+$/);
    expect(() => nodeVersionOf("node:22-alpine")).toThrow();
  });

  it("finds the bundled npm as the newest upgrade in the changelog", () => {
    const log = "## 22.2\n* deps: upgrade npm to 10.9.9 (npm team)\n## 22.1\n* deps: upgrade npm to 10.9.8\n";
    expect(bundledNpmVersion(log)).toBe("10.9.9");
    expect(() => bundledNpmVersion("nothing")).toThrow();
  });
});

describe("cache keys", () => {
  it("change when bytes move between parts", () => {
    expect(
      hashParts([
        ["a", "xy"],
        ["b", ""],
      ]),
    ).not.toBe(
      hashParts([
        ["a", "x"],
        ["b", "y"],
      ]),
    );
    expect(hashParts([["a", "1"]])).toBe(hashParts([["a", "1"]]));
  });

  it("follow .dockerignore: last matching rule wins, parents count, * stays in one directory", () => {
    const rules = parseDockerignore("# c\n**/node_modules\n*.md\ntools/*/*\n!tools/*/package.json\n.cache\n");
    expect(dockerignored("services/x/node_modules/a.js", rules)).toBe(true);
    expect(dockerignored("README.md", rules)).toBe(true);
    expect(dockerignored("services/x/README.md", rules)).toBe(false);
    expect(dockerignored("tools/images/src/cli.ts", rules)).toBe(true);
    expect(dockerignored("tools/images/package.json", rules)).toBe(false);
    expect(dockerignored(".cache/images/x.tar", rules)).toBe(true);
    expect(dockerignored("services/x/src/main.ts", rules)).toBe(false);
  });

  it("cover the project image's build context and not this package's sources", () => {
    const files = buildContextFiles(REPO_ROOT);
    expect(files).toContain("package-lock.json");
    expect(files).toContain("services/order-delivery/src/main.ts");
    expect(files).toContain("tools/images/package.json");
    expect(files.some((f) => f.startsWith("tools/images/src/"))).toBe(false);
    expect(files.some((f) => f.includes("node_modules/"))).toBe(false);
  });
});

describe("build steps", () => {
  it("import config as Dockerfile instructions", () => {
    expect(
      changes({
        env: { A: "1" },
        user: "appuser",
        workdir: "/",
        entrypoint: ["/x"],
        cmd: ["y"],
        expose: [9092],
        volumes: ["/d"],
      }),
    ).toEqual([
      "ENV A=1",
      "WORKDIR /",
      "USER appuser",
      "EXPOSE 9092",
      'VOLUME ["/d"]',
      'ENTRYPOINT ["/x"]',
      'CMD ["y"]',
    ]);
  });

  it("mmdebstrap gets minbase, the packages and the hooks", () => {
    const args = mmdebstrapArgs({ packages: ["curl", "ca-certificates"], customize: ["echo hi"] }, "/o.tar");
    expect(args).toContain("--variant=minbase");
    expect(args).toContain("--include=curl,ca-certificates");
    expect(args).toContain("--customize-hook=echo hi");
    expect(args.indexOf("bookworm")).toBe(args.indexOf("/o.tar") - 1);
  });

  it("quotes hook words for the shell", () => {
    expect(shq("/a b/it's")).toBe(`'/a b/it'\\''s'`);
  });

  it("kafka wrappers run one main class each", () => {
    expect(KAFKA_TOOLS["kafka-topics.sh"]).toBe("org.apache.kafka.tools.TopicCommand");
    expect(toolWrapper("kafka-topics.sh", "org.X")).toMatch(
      /exec \/opt\/kafka\/bin\/kafka-run-class.sh org.X "\$@"\n$/,
    );
  });

  it("ctr imports into kubelet's namespace", () => {
    expect(ctrImportArgs("/s.sock", "/a.tar")).toEqual([
      "--address",
      "/s.sock",
      "-n",
      "k8s.io",
      "images",
      "import",
      "/a.tar",
    ]);
  });
});
