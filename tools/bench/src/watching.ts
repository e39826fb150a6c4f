import { Kafka, logLevel } from "kafkajs";
import { TOPICS, sseEvents } from "@food-ordering/contracts";

/**
 * A tracking page per order, as customers open one right after ordering: every order published
 * on `orders` gets the web UI's live-update stream (`/api/orders/{id}/events`), read until its
 * `end`. The bench is one client standing for all those pages, so its web UI runs with the
 * stream caps raised.
 */
export interface PageCounts {
  /** Streams opened. */
  pages: number;
  /** When each was opened (ms): the pages of a window are those opened inside it. */
  openedAt: number[];
  /** Streams that reached their `end` event. */
  ended: number;
  /** Streams refused or broken (a 429/503, a network error). */
  failed: number;
  /** `order` events: the order's view, pushed at each change. */
  orderEvents: number;
  /** `driver` events: the order's driver moved. */
  driverEvents: number;
}

interface Page {
  ended: boolean;
  orderEvents: number;
  driverEvents: number;
  lastView?: string;
}

export interface PageOptions {
  /** Which orders get a page (default: all). */
  only?: (orderId: string) => boolean;
  /** Told when a page ends, with the events it was sent and the last view of the order (its JSON). */
  onPage?: (orderId: string, page: Page) => void;
}

export async function watchEveryOrder(
  brokers: string[],
  webuiUrl: string,
  log: (s: string) => void,
  opts: PageOptions = {},
): Promise<{ stop(): Promise<PageCounts> }> {
  const counts: PageCounts = { pages: 0, openedAt: [], ended: 0, failed: 0, orderEvents: 0, driverEvents: 0 };
  const open = new Set<AbortController>();
  const reading = new Set<Promise<void>>();

  /** Reads one page's stream; true when it reached its `end`. */
  const follow = async (id: string, abort: AbortController, page: Page) => {
    const res = await fetch(`${webuiUrl}/api/orders/${encodeURIComponent(id)}/events`, { signal: abort.signal });
    if (res.status !== 200 || !res.body) throw new Error(`${res.status} ${await res.text()}`);
    const decoder = new TextDecoder();
    let rest = "";
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      const got = sseEvents(rest + decoder.decode(value, { stream: true }));
      rest = got.rest;
      for (const { name, data } of got.events) {
        if (name === "order") {
          page.orderEvents += 1;
          page.lastView = data;
        } else if (name === "driver") page.driverEvents += 1;
        else if (name === "end") {
          await reader.cancel();
          return true;
        }
      }
    }
  };

  const consumer = new Kafka({ clientId: "bench-pages", brokers, logLevel: logLevel.NOTHING }).consumer({
    groupId: `bench-pages-${Date.now()}`,
  });
  // Orders published once the group is joined get their page.
  const joined = new Promise<void>((resolve) => {
    const off = consumer.on(consumer.events.GROUP_JOIN, () => {
      off();
      resolve();
    });
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.orders, fromBeginning: false });
  let announced = false;
  await consumer.run({
    eachMessage: async ({ message }) => {
      const id = message.key?.toString();
      if (!id || (opts.only && !opts.only(id))) return;
      counts.pages += 1;
      counts.openedAt.push(Date.now());
      const abort = new AbortController();
      open.add(abort);
      const page: Page = { ended: false, orderEvents: 0, driverEvents: 0 };
      const done: Promise<void> = follow(id, abort, page)
        .catch((err: unknown) => {
          if (abort.signal.aborted) return false;
          counts.failed += 1;
          if (!announced) log(`tracking page of ${id} failed: ${(err as Error).message}`);
          announced = true;
          return false;
        })
        .then((ended) => {
          page.ended = ended;
          if (ended) counts.ended += 1;
          counts.orderEvents += page.orderEvents;
          counts.driverEvents += page.driverEvents;
          opts.onPage?.(id, page);
        })
        .finally(() => {
          open.delete(abort);
          reading.delete(done);
        });
      reading.add(done);
    },
  });
  // A broker that never lets the group join fails the benchmark with a reason instead of hanging it.
  let timer: NodeJS.Timeout | undefined;
  const joinLimit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`tracking pages: no group join on ${TOPICS.orders} in 30 s`)), 30_000);
  });
  try {
    await Promise.race([joined, joinLimit]);
  } catch (err) {
    await consumer.disconnect().catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return {
    async stop() {
      await consumer.disconnect();
      for (const a of open) a.abort();
      await Promise.all(reading);
      return { ...counts, openedAt: [...counts.openedAt] };
    },
  };
}
