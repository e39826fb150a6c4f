import net from "node:net";

const reserved = new Set<number>();

/**
 * A free TCP port on loopback. Picked at random below Linux's ephemeral range (32768+), which
 * outgoing connections draw from — an OS-chosen port could be taken by a client socket before
 * the process that needs it binds. Ports handed out by this process are never handed out twice.
 */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (reserved.has(port)) continue;
    if (await canBind(port, host)) {
      reserved.add(port);
      return port;
    }
  }
  throw new Error("no free port found between 20000 and 32000");
}

async function canBind(port: number, host: string): Promise<boolean> {
  return await new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** Fails with a message naming the component when its port is already taken. */
export async function assertPortFree(port: number, what: string, host = "127.0.0.1"): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === "EADDRINUSE"
            ? `port ${host}:${port} for ${what} is already in use (another stack running? stop it or set a different port)`
            : `cannot listen on ${host}:${port} for ${what}: ${err.message}`,
        ),
      ),
    );
    srv.listen(port, host, () => srv.close(() => resolve()));
  });
}

/** Resolves once something accepts TCP connections on host:port. */
export async function canConnect(port: number, host = "127.0.0.1", timeoutMs = 1000): Promise<boolean> {
  return await new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}
