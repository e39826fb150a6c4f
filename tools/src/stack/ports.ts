import net from "node:net";

/** A free TCP port on loopback, chosen by the OS. */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
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
