import http from "node:http";

/**
 * A closed-loop HTTP load generator for loopback targets: `concurrency` workers each send one
 * request, wait for its answer, and send the next, over keep-alive connections, until the time or
 * the request budget runs out. Closed-loop, so it measures what the server sustains without
 * piling up an unbounded queue of its own.
 */
export interface LoadOptions {
  url: string;
  /** The path of the n-th request (default: the url's), e.g. to spread calls over object keys. */
  pathFor?: (n: number) => string;
  body: string;
  concurrency: number;
  durationMs: number;
  /** Hard cap on requests, so a mistake can never run away. */
  maxRequests: number;
  headers?: Record<string, string>;
}

export interface LoadResult {
  concurrency: number;
  ok: number;
  errors: number;
  elapsedMs: number;
  latenciesMs: number[];
  firstError?: string;
}

export async function closedLoop(o: LoadOptions): Promise<LoadResult> {
  const target = new URL(o.url);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(target.hostname))
    throw new Error(`load only on loopback, not ${target.hostname}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const result: LoadResult = { concurrency: o.concurrency, ok: 0, errors: 0, elapsedMs: 0, latenciesMs: [] };
  const start = performance.now();
  const deadline = start + o.durationMs;
  let issued = 0;
  const worker = async () => {
    while (performance.now() < deadline && issued < o.maxRequests) {
      const path = o.pathFor ? o.pathFor(issued) : target.pathname;
      issued++;
      const t = performance.now();
      try {
        const status = await request(agent, target, path, o.body, o.headers ?? {});
        if (status >= 200 && status < 300) {
          result.ok++;
          result.latenciesMs.push(performance.now() - t);
        } else {
          result.errors++;
          result.firstError ??= `HTTP ${status}`;
        }
      } catch (e) {
        result.errors++;
        result.firstError ??= (e as Error).message;
        // A refused connection would otherwise spin: back off a little.
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  result.elapsedMs = performance.now() - start;
  agent.destroy();
  return result;
}

function request(
  agent: http.Agent,
  url: URL,
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path,
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.once("end", () => resolve(res.statusCode ?? 0));
        res.once("error", reject);
      },
    );
    req.once("timeout", () => req.destroy(new Error("request timed out after 30 s")));
    req.once("error", reject);
    req.end(body);
  });
}
