/**
 * A TCP forwarder on a loopback port that a test opens and shuts: shut, it resets every connection
 * at once (a server that is down: connection refused, as far as a client can tell) or, `silent`,
 * accepts and never answers (a server or network that hangs); open, it pipes to `target`. Lets a
 * test start a service against a Temporal that is down and bring it back, without touching the
 * shared stack.
 */
import net from 'node:net';

export type GateState = 'open' | 'refusing' | 'silent';

export interface TcpGate {
  /** host:port to hand the client. */
  readonly address: string;
  set(state: GateState): void;
  close(): Promise<void>;
}

export async function startTcpGate(target: string, initial: GateState): Promise<TcpGate> {
  const colon = target.lastIndexOf(':');
  const [host, port] = [target.slice(0, colon), Number(target.slice(colon + 1))];
  let state = initial;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (state === 'refusing') {
      socket.resetAndDestroy();
      return;
    }
    if (state === 'silent') return;
    const upstream = net.connect({ host, port });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${own}`,
    set(next) {
      state = next;
      // Connections made in the earlier state end, so a client must connect again and meet the new one.
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
