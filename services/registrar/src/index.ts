/** The registrar as a library: the local stack and the tests converge Restate with the same code as the CLI. */
export {
  reconcile,
  summaryLine,
  EXIT_CODES,
  type Outcome,
  type ReconcileOptions,
  type ReconcileResult,
} from "./reconcile.ts";
export {
  plan,
  diffServices,
  describeAction,
  type Action,
  type Plan,
  type Problem,
  type Observed,
  type Discovered,
} from "./plan.ts";
export {
  parseDesiredState,
  validateDesiredState,
  loadDesiredStateFile,
  withEndpoints,
  normalizeUri,
  DesiredStateError,
  type DesiredState,
} from "./desired-state.ts";
export { AdminClient, AdminError } from "./admin-client.ts";
export { deploymentMarker, subscriptionClientId, ownsDeployment, ownsSubscription } from "./ownership.ts";
export {
  endpointOfService,
  endpointsOfServices,
  desiredStateOfConfigMap,
  statusConfigMap,
  reconcileEvent,
  shouldEmitEvent,
  ANNOTATIONS,
} from "./kube.ts";
export { registrarConfig, type RegistrarConfig } from "./config.ts";
