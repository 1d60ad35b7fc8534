import net from 'node:net';

/**
 * The Temporal SDK exports its worker metrics (schedule-to-start and task latencies, slots, sticky
 * cache) from its own Prometheus endpoint. It is bound to loopback on a free port and folded into
 * the worker's /metrics, so one scrape target shows both ours and the SDK's.
 */
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

export function sdkMetricsReader(bindAddress: string): () => Promise<string> {
  const url = `http://${bindAddress}/metrics`;
  return async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      return res.ok ? await res.text() : '';
    } catch {
      // The SDK's exporter not answering must not take our own metrics down with it.
      return '';
    }
  };
}
