import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { bindOnFreePort, freeLoopbackPort, saysAddressInUse } from '../../src/observability/loopback-port';

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('binding on a free loopback port', () => {
  it('tries another port when the one picked was taken before the bind (another process got it from the OS too)', async () => {
    const holder = await listen(0);
    const taken = (holder.address() as net.AddressInfo).port;
    const picked: number[] = [];
    let first = true;
    const pick = async () => {
      const port = first ? taken : await freeLoopbackPort();
      first = false;
      picked.push(port);
      return port;
    };
    try {
      const bound = await bindOnFreePort(listen, 5, pick);
      try {
        assert.equal(picked.length, 2);
        assert.equal(picked[0], taken);
        assert.equal((bound.address() as net.AddressInfo).port, picked[1]);
      } finally {
        await close(bound);
      }
    } finally {
      await close(holder);
    }
  });

  it('passes on any other failure at once, without trying another port', async () => {
    let calls = 0;
    await assert.rejects(
      bindOnFreePort(() => {
        calls++;
        throw new Error('Failed to start prometheus metrics exporter: invalid socket address');
      }),
      /invalid socket address/,
    );
    assert.equal(calls, 1);
  });

  it('gives up after its attempts with the last failure, as the SDK words it', async () => {
    let calls = 0;
    await assert.rejects(
      bindOnFreePort(() => {
        calls++;
        throw new Error('Failed to start prometheus metrics exporter: Address already in use (os error 98)');
      }, 3),
      /Address already in use/,
    );
    assert.equal(calls, 3);
  });

  it("recognises Node's and the SDK's wording of a taken port", () => {
    assert.equal(saysAddressInUse('Error: listen EADDRINUSE: address already in use 127.0.0.1:4000'), true);
    assert.equal(saysAddressInUse('Address already in use (os error 98)'), true);
    assert.equal(saysAddressInUse('connect ECONNREFUSED 127.0.0.1:7233'), false);
  });
});
