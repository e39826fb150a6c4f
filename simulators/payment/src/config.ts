import { commonSpec, defineConfig, env, tracingSpec } from "@food-ordering/kit";

/** The payment provider stub's configuration. */
export const paymentConfig = defineConfig("payment", {
  ...commonSpec,
  ...tracingSpec,
  METRICS_PORT: { ...commonSpec.METRICS_PORT, default: "9466" },
  PORT: { schema: env.port(), default: "9082", doc: "Port of the payment API.", helm: "payment.port" },
  LEDGER_FILE: {
    schema: env.string().optional(),
    default: undefined,
    doc: "Append-only JSON-lines ledger of charges and refunds; survives restarts. In memory when unset.",
    helm: "payment.ledgerFile",
  },
  DECLINE_RATE: {
    schema: env.number(0, 1),
    default: "0",
    doc: "Fraction of charges declined at random (besides the tok_chargeDeclined token).",
    helm: "payment.declineRate",
  },
});
export type PaymentConfig = ReturnType<typeof paymentConfig.parse>;
