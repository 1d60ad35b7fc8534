/**
 * The support kit's child processes (the bench's roles, its ceiling server): a child told a port
 * that another process took meanwhile is started again on another; any other failure at start is
 * reported with the child's last lines, where a CI log shows it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Children, startOnFreePort, waitForIpcReady } from '../support/children';

/** A child that listens on PORT and says so, as the bench's HTTP server does. */
const LISTENER = `
const server = require('node:net').createServer();
server.on('error', (err) => { console.error('failed to start: ' + err.message); process.exit(1); });
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send({ type: 'ready' }));
`;

function listen(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('children started on a free port', () => {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'children-test-'));
  const children = new Children(logDir, () => undefined);
  after(async () => {
    await children.stopAll(2000);
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  it('starts a child again on another port when its port was taken before it could bind', async () => {
    const holder = await listen();
    const taken = (holder.address() as net.AddressInfo).port;
    const told: number[] = [];
    try {
      const port = await startOnFreePort(children, (free) => {
        // The first start is told a port another process holds: the race the helper exists for.
        const port = told.length === 0 ? taken : free;
        told.push(port);
        const child = children.spawn('listener', process.execPath, ['-e', LISTENER], {
          cwd: logDir,
          env: { ...process.env, PORT: String(port) },
          ipc: true,
        });
        return { child, ready: waitForIpcReady(child, 10_000).then(() => port) };
      });
      assert.deepEqual(told, [taken, port]);
      assert.notEqual(port, taken);
      // The first child's exit was its start's failure, handled here: the run goes on healthy.
      assert.doesNotThrow(() => children.assertHealthy());
    } finally {
      holder.close();
    }
  });

  it('reports any other failure at start with the last lines the child wrote, and starts it once', async () => {
    let starts = 0;
    await assert.rejects(
      startOnFreePort(children, () => {
        starts++;
        const child = children.spawn(
          'bad-config',
          process.execPath,
          ['-e', "console.error('payments: STRIPE_KEY: required'); process.exit(2)"],
          { cwd: logDir, env: process.env, ipc: true },
        );
        return { child, ready: waitForIpcReady(child, 10_000) };
      }),
      /bad-config exited while starting.*its last lines:\n {2}\| payments: STRIPE_KEY: required/s,
    );
    assert.equal(starts, 1);
  });

  it('names an unexpected exit after the start with its last lines', async () => {
    const child = children.spawn(
      'crashing',
      process.execPath,
      ['-e', "console.error('worker stopped with an error: boom'); process.exit(1)"],
      { cwd: logDir, env: process.env },
    );
    await child.exited;
    assert.throws(
      () => children.assertHealthy(),
      /crashing exited unexpectedly \(code 1\).*its last lines:\n {2}\| worker stopped with an error: boom/s,
    );
    children.dismiss(child);
  });
});
