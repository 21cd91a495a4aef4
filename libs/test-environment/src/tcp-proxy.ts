import { createConnection, createServer, Server, Socket } from 'node:net';

/** One client connection and its leg to the target. */
interface ProxiedConnection {
  client: Socket;
  target: Socket;
}

/**
 * A TCP proxy in front of a test's PostgreSQL or NATS, to make network faults that a process
 * kill cannot: pause() makes the target stop answering without closing anything (no RST, no FIN:
 * bytes wait in the proxy, as on a network that silently drops), resume() lets them flow again,
 * closeAll() cuts every connection at once (a reset).
 */
export class TcpProxy {
  private readonly connections = new Set<ProxiedConnection>();
  private paused = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly targetHost: string,
    readonly targetPort: number,
  ) {}

  /**
   * Listens on 127.0.0.1 (on `port`, or any free one) and forwards to `targetHost:targetPort`. A
   * given port lets the services be told the proxy's address before the target is known.
   */
  static async start(targetHost: string, targetPort: number, port = 0): Promise<TcpProxy> {
    const server = createServer();
    await listen(server, port);
    const proxy = new TcpProxy(server, (server.address() as { port: number }).port, targetHost, targetPort);
    server.on('connection', (client: Socket) => proxy.accept(client));
    return proxy;
  }

  /** `scheme://user@host:port/path` of `url` with host and port replaced by the proxy's. */
  rewrite(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(this.port);
    return proxied.toString();
  }

  /** Connections open through the proxy now. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops forwarding in both directions on every connection, open or new; nothing is closed. */
  pause(): void {
    this.paused = true;
    for (const { client, target } of this.connections) {
      client.pause();
      target.pause();
    }
  }

  /** Forwards again: what waited is delivered, in order. */
  resume(): void {
    this.paused = false;
    for (const { client, target } of this.connections) {
      client.resume();
      target.resume();
    }
  }

  /** Cuts every open connection (both legs), as a reset would; new ones are still accepted. */
  closeAll(): void {
    for (const { client, target } of this.connections) {
      client.resetAndDestroy();
      target.resetAndDestroy();
    }
    this.connections.clear();
  }

  /** The target gone: every connection cut and new ones refused (the port closed) until up(). */
  async down(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.closeAll();
    await closed;
  }

  /** The target back: connections taken again on the same port. */
  async up(): Promise<void> {
    await listen(this.server, this.port);
  }

  async close(): Promise<void> {
    this.closeAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    // While paused a new connection is taken (the kernel would accept it anyway) but never answered.
    const target = createConnection({ host: this.targetHost, port: this.targetPort });
    const connection = { client, target };
    this.connections.add(connection);
    if (this.paused) {
      client.pause();
      target.pause();
    }
    // pipe() would resume a paused source on drain; data handlers honour pause() exactly.
    const forward = (from: Socket, to: Socket) => {
      from.on('data', (chunk) => {
        if (!to.write(chunk)) from.pause();
      });
      to.on('drain', () => {
        if (!this.paused) from.resume();
      });
      from.on('end', () => to.end());
    };
    forward(client, target);
    forward(target, client);
    const drop = () => {
      this.connections.delete(connection);
      client.destroy();
      target.destroy();
    };
    client.on('error', drop).on('close', drop);
    target.on('error', drop).on('close', drop);
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
