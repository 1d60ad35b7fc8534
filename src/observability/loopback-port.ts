/**
 * A loopback port for something that must be told its port before it binds (the SDK's metrics
 * exporter in the worker; tests', the bench's and chaos runs' child processes), and the retry when
 * another process took that port between the pick and the bind.
 */
import net from 'node:net';

/** A loopback port nothing listens on now, as the OS picks it. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether `text` (an error's message, a process's output) says a port was already taken. */
export function saysAddressInUse(text: string): boolean {
  return /EADDRINUSE|address already in use/i.test(text);
}

/**
 * Binds something that must be told its port in advance (the SDK's exporter, a child process's
 * PORT) on a free loopback port, trying another one when the port was taken between the pick and
 * the bind: another process picking ports at the same moment can get the same one from the OS.
 * Any other failure, or the last attempt's, propagates.
 */
export async function bindOnFreePort<T>(
  bind: (port: number) => Promise<T> | T,
  attempts = 5,
  pickPort: () => Promise<number> = freeLoopbackPort,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = await pickPort();
    try {
      return await bind(port);
    } catch (err) {
      if (attempt >= attempts || !saysAddressInUse(err instanceof Error ? err.message : String(err)))
        throw err;
    }
  }
}
