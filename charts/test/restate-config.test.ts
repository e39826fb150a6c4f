import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect, it, onTestFinished } from "vitest";
import { REPO_ROOT } from "@food-ordering/stack";
import { byKind, fullName, render, VARIANTS } from "./chart.ts";

/**
 * The rendered restate.toml, loaded by the real restate-server (the npm package's binary, same
 * version as the image) with --dump-config: it must parse, and every key we set must come back
 * with our value — a misspelled key is silently ignored by the server, so it would not.
 */
function restateServer(): string {
  const require = createRequire(join(REPO_ROOT, "tools", "stack", "package.json"));
  try {
    return join(
      dirname(
        require.resolve(
          `@restatedev/restate-server-${process.platform}-${process.arch === "x64" ? "x64" : process.arch}/package.json`,
        ),
      ),
      "bin",
      "restate-server",
    );
  } catch {
    throw new Error(
      `the restate-server binary for ${process.platform}/${process.arch} is not installed (npm ci installs @restatedev/restate-server with the tools workspace)`,
    );
  }
}

/**
 * TOML keys as "section.key" -> value, for the simple TOML both sides use (tables, scalars,
 * arrays), normalised as the dump writes them ("384.0 MiB", URLs with a trailing slash).
 */
function keys(toml: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = "";
  let pending: { key: string; value: string } | undefined;
  for (const raw of toml.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    if (pending) {
      pending.value += line;
      if (line.startsWith("]")) {
        out.set(pending.key, pending.value.replace(/,\]/, "]").replaceAll(" ", "").replaceAll('/"', '"'));
        pending = undefined;
      }
      continue;
    }
    const table = /^\[\[?([^\]]+)\]\]?$/.exec(line);
    if (table) section = `${table[1]}.`;
    const kv = /^([a-z0-9-]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    if (kv[2] === "[") pending = { key: section + kv[1], value: "[" };
    else
      out.set(
        section + kv[1],
        kv[2]!
          .replaceAll(" ", "")
          .replace(/\.0(MiB|GiB)/, "$1")
          .replace(/\/"/, '"'),
      );
  }
  return out;
}

it.each(["defaults", "restate.replicas 3", "everything on"])(
  "restate-server %s loads the rendered config with every key we set",
  (variant) => {
    const toml = byKind(render(VARIANTS[variant]!), "ConfigMap").find(
      (c) => c.metadata.name === fullName("restate-config"),
    )!.data!["restate.toml"]!;
    const dir = mkdtempSync(join(tmpdir(), "restate-toml-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "restate.toml");
    writeFileSync(file, toml);
    const dumped = keys(
      execFileSync(restateServer(), ["--config-file", file, "--dump-config"], {
        encoding: "utf8",
        env: { PATH: process.env.PATH },
      }),
    );
    const ours = keys(toml);
    expect(ours.size).toBeGreaterThan(8);
    for (const [key, value] of ours) expect(dumped.get(key), key).toBe(value);
  },
);
