import fs from "node:fs";
import path from "node:path";
import { Command, InvalidArgumentError } from "commander";
import YAML from "yaml";
import {
  applyCatalog,
  readCatalog,
  writeCatalog,
  type Catalog,
  type CatalogWriteResult,
} from "@food-ordering/contracts";
import { loadCatalogFile } from "./catalog-file.ts";
import { stackSecretFile } from "./request-identity.ts";
import { REPO_ROOT } from "./stack.ts";

/**
 * `npm run catalog -- <command>` and `kubectl food catalog <command>`: the live catalog (regions,
 * restaurants, menus) read and changed at run time through Restate's ingress. Writes carry the
 * operator token and are validated by the endpoint; a refusal names every problem and changes nothing.
 */

interface Global {
  ingressUrl: string;
  token?: string;
  tokenFile: string;
  json?: boolean;
}

const cents = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a whole number of cents, at least 1");
  return n;
};

/** The operator token: --token, else OPERATOR_TOKEN, else the local stack's secret file. */
function operatorToken(g: Global): string {
  const token = g.token ?? process.env.OPERATOR_TOKEN;
  if (token) return token;
  try {
    return fs.readFileSync(g.tokenFile, "utf8").trim();
  } catch {
    throw new Error(
      `no operator token: pass --token or OPERATOR_TOKEN (Kubernetes: the ` +
        `<release>-food-ordering-operator-token Secret), or start the local stack, which writes ${g.tokenFile}`,
    );
  }
}

function render(c: Catalog & { versions: Record<string, number> }): string {
  return c.regions
    .map((r) =>
      [
        `${r.id}  ${r.name}  ${r.sizeKm} km  v${c.versions[r.id]}`,
        ...r.restaurants.flatMap((s) => [
          `  ${s.id}  ${s.name} (${s.cuisine}) at (${s.location.x}, ${s.location.y})`,
          ...s.menu.map((m) => `    ${m.productId.padEnd(16)} ${(m.price / 100).toFixed(2).padStart(8)}  ${m.name}`),
        ]),
      ].join("\n"),
    )
    .join("\n\n");
}

function catalogProgram(name = "catalog"): Command {
  const p = new Command(name)
    .description("Show and change the live catalog: regions, restaurants, menus (no restart, no rebuild).")
    .option(
      "--ingress-url <url>",
      "Restate ingress (env RESTATE_INGRESS_URL)",
      process.env.RESTATE_INGRESS_URL ?? "http://127.0.0.1:8080",
    )
    .option("--token <token>", "operator token for changes (env OPERATOR_TOKEN)")
    .option(
      "--token-file <file>",
      "file holding the operator token",
      stackSecretFile(path.join(REPO_ROOT, ".data/local"), "operator-token"),
    )
    .option("--json", "print JSON")
    .showHelpAfterError();
  const g = () => p.opts<Global>();
  const done = (changed: CatalogWriteResult[]) =>
    console.log(
      g().json
        ? JSON.stringify(changed)
        : changed.map((c) => `${c.region}: now version ${c.version}`).join("\n") || "unchanged",
    );

  p.command("show")
    .description("every region with its restaurants and menus, and its version")
    .action(async () => {
      const c = await readCatalog(g().ingressUrl);
      console.log(g().json ? JSON.stringify(c, null, 2) : render(c));
    });
  p.command("apply")
    .description("put every region of a catalog file (YAML/JSON, `regions: [...]`); regions equal to it are left alone")
    .argument("<file>")
    .action(async (file: string) =>
      done(await applyCatalog(g().ingressUrl, operatorToken(g()), loadCatalogFile(file))),
    );
  p.command("add-restaurant")
    .description("add a restaurant to a region (or replace the one with its id) from a YAML/JSON file")
    .argument("<region>")
    .argument("<file>", "one restaurant: id, name, cuisine, location {x, y}, menu [{productId, name, price}]")
    .action(async (region: string, file: string) => {
      const restaurant = YAML.parse(fs.readFileSync(file, "utf8")) as Catalog["regions"][number]["restaurants"][number];
      done([await writeCatalog(g().ingressUrl, operatorToken(g()), { op: "upsertRestaurant", region, restaurant })]);
    });
  p.command("set-price")
    .description("set one menu item's price; orders already accepted keep theirs")
    .argument("<region>")
    .argument("<restaurantId>")
    .argument("<productId>")
    .argument("<cents>", "price in cents", cents)
    .action(async (region: string, restaurantId: string, productId: string, price: number) =>
      done([
        await writeCatalog(g().ingressUrl, operatorToken(g()), {
          op: "setPrice",
          region,
          restaurantId,
          productId,
          price,
        }),
      ]),
    );
  p.command("retire")
    .description("remove a region from the catalog: new orders and shifts there are refused, orders in flight finish")
    .argument("<region>")
    .action(async (region: string) =>
      done([await writeCatalog(g().ingressUrl, operatorToken(g()), { op: "retire", region })]),
    );
  return p;
}

try {
  await catalogProgram().parseAsync();
} catch (e) {
  console.error(`catalog: ${(e as Error).message}`);
  process.exitCode = 1;
}
