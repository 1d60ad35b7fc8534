/**
 * Readiness: what each role says it depends on, for /readyz. Its own module (not the API's) because
 * the roles build these checks and the health routes only run them: the worker's Kafka check must
 * not reach into the HTTP layer.
 */
import net from 'node:net';

/** One dependency a mode needs; /readyz names the ones that fail. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

/**
 * A TCP connect to any broker. Cheap and independent of the producer's own reconnect state, so a
 * dead broker shows within one probe and a revived one as soon as it listens.
 */
export function kafkaBrokerCheck(brokers: readonly string[], timeoutMs = 1500): ReadinessCheck {
  const reach = (broker: string) =>
    new Promise<void>((resolve, reject) => {
      const [host, port] = [
        broker.slice(0, broker.lastIndexOf(':')),
        Number(broker.slice(broker.lastIndexOf(':') + 1)),
      ];
      const socket = net.connect({ host, port });
      socket.setTimeout(timeoutMs);
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('timeout', () => {
        socket.destroy();
        reject(new Error(`broker ${broker} timed out`));
      });
      socket.once('error', (err) => reject(new Error(`broker ${broker}: ${err.message}`)));
    });
  return {
    name: 'kafka',
    check: async () => {
      await Promise.any(brokers.map(reach)).catch(() => {
        throw new Error(`no Kafka broker reachable (${brokers.join(', ')})`);
      });
    },
  };
}
