export * from "./topics.ts";
export * from "./geo.ts";
export * from "./catalog.ts";
export * from "./order.ts";
export * from "./driver.ts";
export * from "./payment.ts";
export * from "./restaurant.ts";
export * from "./services.ts";
