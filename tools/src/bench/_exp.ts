import fs from "node:fs";
import path from "node:path";
import { Stack, REPO_ROOT } from "../stack/stack.ts";
import { REGION_IDS } from "@food-ordering/contracts";
import { SIM } from "./settings.ts";
const dataDir = path.join(REPO_ROOT, ".data", `exp`);
fs.rmSync(dataDir, { recursive: true, force: true });
const stack = await Stack.start({
  dataDir, freePorts: true, webui: false,
  regions: REGION_IDS.map((name) => ({ name, drivers: Number(process.env.EXP_DRIVERS ?? 60) })),
  timeScale: SIM.timeScale, tickMs: SIM.tickMs, providerRate: 0,
  restatePartitions: process.env.EXP_PARTITIONS ? Number(process.env.EXP_PARTITIONS) : undefined,
  env: { LOG_LEVEL: "info", ETA_UPDATE_INTERVAL_MS: "2000", DRIVER_LEASE_MS: "60000", WAIT_FOR_WORK_MS: "30000", SPEED_KMH: "30", PREP_TIME_MIN: "10", ...(process.env.EXP_ENV ? JSON.parse(process.env.EXP_ENV) : {}) },
  componentEnv: { provider: { MAX_DELIVERY_DELAY_MS: "0", DECLINED_FRACTION: "0", LOG_LEVEL: "warn" }, ...Object.fromEntries(REGION_IDS.map((r) => [`drivers-${r}`, { LOG_LEVEL: "warn" }])), ...(process.env.EXP_EP ? { [process.env.EXP_COMP ?? "endpoint"]: { NODE_OPTIONS: process.env.EXP_EP, LOG_LEVEL: "warn" } } : {}) },
  log: (l) => console.log(l),
});
fs.writeFileSync("/tmp/exp/stack.json", JSON.stringify(stack.info, null, 2));
console.log("READY");
process.once("SIGINT", () => void stack.stop().then(() => process.exit(0)));
process.once("SIGTERM", () => void stack.stop().then(() => process.exit(0)));
setInterval(() => {}, 1 << 30);
