import { generateKeyPairSync } from "node:crypto";
import { Command } from "commander";
import YAML from "yaml";
import { driverCredential } from "@food-ordering/contracts";
import { restatePublicKey } from "./request-identity.ts";

/**
 * `npm run keys -- request-identity`: a fresh Ed25519 key pair for Restate's request identity,
 * printed as a Kubernetes Secret (keys private.pem, public-key) or, with --values, as the chart
 * values restate.requestIdentity. The local stack makes its own pair in its data directory.
 * `npm run keys -- driver-credential <id...>`: what the fleet hands each driver's app at onboarding.
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
program.parse();
