import { commonSpec, defineConfig, env, tracingSpec } from "@food-ordering/kit";

/** The restaurant point-of-sale simulator's configuration. */
export const restaurantConfig = defineConfig("restaurant", {
  ...commonSpec,
  ...tracingSpec,
  METRICS_PORT: { ...commonSpec.METRICS_PORT, default: "9465" },
  PORT: { schema: env.port(), default: "9081", doc: "Port of the POS HTTP API.", helm: "restaurant.port" },
  RESTATE_INGRESS_URL: {
    schema: env.url(),
    default: "http://127.0.0.1:8080",
    doc: "Restate ingress, for the preparation-done callbacks.",
    helm: "(wired to the Restate Service)",
  },
  POS_TOKEN: {
    schema: env.string().optional(),
    default: undefined,
    doc: "When set, prepare requests must carry `Authorization: Bearer <token>`.",
    helm: "restaurant.token",
  },
  POS_SIGNING_KEY: {
    schema: env.string().optional(),
    default: undefined,
    doc:
      "The platform's POS signing key: this simulator plays every restaurant, so " +
      "it derives each one's key from it and signs the preparation-done callbacks.",
    helm: "restaurant.signingKey (Secret)",
  },
  PREP_TIME_MIN: {
    schema: env.number(0, 600),
    default: "10",
    doc: "Mean preparation time in simulated minutes (±30% jitter).",
    helm: "restaurant.prepTimeMinutes",
  },
  TIME_SCALE: {
    schema: env.number(0.001, 1_000_000),
    default: "60",
    doc: "Simulated seconds per real second.",
    helm: "global.timeScale",
  },
});
export type RestaurantConfig = ReturnType<typeof restaurantConfig.parse>;
