import { generateKeyPairSync } from "node:crypto";
import { Command } from "commander";
import YAML from "yaml";
import { restatePublicKey } from "./request-identity.ts";

/**
 * `npm run keys -- request-identity`: a fresh Ed25519 key pair for Restate's request identity,
 * printed as a Kubernetes Secret (keys private.pem, public-key) or, with --values, as the chart
 * values restate.requestIdentity. The local stack makes its own pair in its data directory.
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
program.parse();
