import { generateKeyPairSync } from "node:crypto";
import { Command } from "commander";
import YAML from "yaml";
import fs from "node:fs";
import { driverCredential, signOrderEvent } from "@food-ordering/contracts";
import { restatePublicKey } from "./request-identity.ts";

/**
 * `npm run keys -- request-identity`: a fresh Ed25519 key pair for Restate's request identity,
 * printed as a Kubernetes Secret (keys private.pem, public-key) or, with --values, as the chart
 * values restate.requestIdentity. The local stack makes its own pair in its data directory.
 * `npm run keys -- driver-credential <id...>`: what the fleet hands each driver's app at onboarding.
 * `npm run keys -- sign-order <file>`: an order event signed as the platform's producers sign it,
 * for an operator publishing one by hand (docs/trust-model.md).
 */
const program = new Command("npm run keys --").description("Make keys the platform needs.");
program
  .command("request-identity")
  .description("an Ed25519 key pair Restate signs its requests to the endpoint with")
  .option("--values", "print chart values (restate.requestIdentity) instead of a Secret")
  .option("--name <name>", "the Secret's name", "food-ordering-request-identity")
  .action((o: { values?: boolean; name: string }) => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const pub = restatePublicKey(publicKey);
    const doc = o.values
      ? { restate: { requestIdentity: { existingSecret: "", privateKeyPem: pem, publicKey: pub } } }
      : {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: o.name },
          type: "Opaque",
          stringData: { "private.pem": pem, "public-key": pub },
        };
    process.stdout.write(YAML.stringify(doc));
  });
program
  .command("driver-credential")
  .description("the enrollment credential of each driver id, from the fleet key in DRIVER_ENROLLMENT_KEY")
  .argument("<driverId...>", "driver ids, e.g. amsterdam-7")
  .action((ids: string[]) => {
    const key = process.env.DRIVER_ENROLLMENT_KEY ?? "";
    if (!key) program.error("set DRIVER_ENROLLMENT_KEY to the fleet's enrollment key (the chart keeps it in a Secret)");
    for (const id of ids) process.stdout.write(`${id} ${driverCredential(key, id)}\n`);
  });
program
  .command("sign-order")
  .description(
    "print an order event (JSON file, or - for stdin) as one line signed with the key in ORDER_SIGNING_KEY: " +
      "the value to publish to the orders topic with the order id as the key",
  )
  .argument("<file>", "the order event, e.g. order.json")
  .action((file: string) => {
    const key = process.env.ORDER_SIGNING_KEY ?? "";
    if (!key)
      program.error("set ORDER_SIGNING_KEY to the platform's order signing key (the chart keeps it in a Secret)");
    let event: { id?: unknown };
    try {
      event = JSON.parse(fs.readFileSync(file === "-" ? 0 : file, "utf8")) as { id?: unknown };
    } catch (e) {
      return program.error(`${file}: not a readable JSON file (${(e as Error).message})`);
    }
    if (!event || typeof event !== "object" || Array.isArray(event) || typeof event.id !== "string")
      return program.error(`${file}: an order event is a JSON object with a string "id" (the Kafka key)`);
    process.stdout.write(`${signOrderEvent(key, event.id, JSON.stringify(event))}\n`);
  });
program.parse();
