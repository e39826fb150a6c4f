/** What tests share: the platform's helpers and the pieces of the local stack a test starts itself. */
export * from "./platform.ts";
export * from "./event-stream.ts";
export * from "./credentials.ts";
export * from "./catalog.ts";
export * from "./prometheus-api.ts";
export * from "./jaeger.ts";
export * from "./webui.ts";
export { CHROMIUM_ARGS, ensureChromium } from "@food-ordering/setup";
export {
  Stack,
  ManagedProcess,
  httpOk,
  freePort,
  createRestate,
  createKafka,
  ensureTopics,
  setConsumerByteRate,
  loadRuleFiles,
  REPO_ROOT,
  TOPOLOGY,
  SIMULATOR_NICE,
  TOPIC_PARTITIONS,
  type StackInfo,
  type RuleGroup,
} from "@food-ordering/stack";
