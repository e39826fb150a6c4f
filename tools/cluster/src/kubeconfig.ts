import fs from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { CA_CERT, CLIENTS, pkiFile, type Client } from "./pki.ts";
import { CLUSTER, CLUSTER_PATHS } from "./paths.ts";

export const apiserverUrl = () => `https://127.0.0.1:${CLUSTER.ports.apiserver}`;

/** The kubeconfig each component (and the admin) reaches the API server with. */
export const componentKubeconfig = (client: Client) =>
  client === "admin" ? CLUSTER_PATHS.kubeconfig : path.join(CLUSTER_PATHS.config, `${client}.kubeconfig`);

const b64 = (file: string) => fs.readFileSync(file).toString("base64");

/** Writes self-contained kubeconfigs (certificates embedded) for every client identity. */
export function writeKubeconfigs(): void {
  fs.mkdirSync(CLUSTER_PATHS.config, { recursive: true });
  for (const client of Object.keys(CLIENTS) as Client[]) {
    const doc = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        { name: CLUSTER.context, cluster: { server: apiserverUrl(), "certificate-authority-data": b64(CA_CERT) } },
      ],
      users: [
        {
          name: client,
          user: {
            "client-certificate-data": b64(pkiFile(`${client}.crt`)),
            "client-key-data": b64(pkiFile(`${client}.key`)),
          },
        },
      ],
      contexts: [{ name: CLUSTER.context, context: { cluster: CLUSTER.context, user: client } }],
      "current-context": CLUSTER.context,
    };
    const file = componentKubeconfig(client);
    fs.writeFileSync(file, stringify(doc), { mode: 0o600 });
  }
}
