/**
 * Replays event histories recorded from real runs of every ChargeWorkflow path (see
 * record-histories.ts) against the current workflow code: a non-deterministic change fails here.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { quietTemporalRuntime, workflowBundle } from '../support/workflow-env';

const DIR = path.join(__dirname, 'histories');
const files = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('replay of recorded ChargeWorkflow and RefundsWorkflow histories', { timeout: 120_000 }, () => {
  it('has a recorded history for each workflow path', () => {
    assert.ok(files.length >= 9, `found ${files.join(', ')}`);
    assert.ok(files.includes('refunds.json') && files.includes('canceled-by-caller.json'));
  });

  it('replays every history without a determinism error', async () => {
    quietTemporalRuntime();
    const histories = files.map((file) => ({
      workflowId: path.basename(file, '.json'),
      history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'))),
    }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: await workflowBundle() },
      histories,
    )) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.equal(replayed, files.length);
    assert.deepEqual(failures, []);
  });
});
