/**
 * Runs the named test files in this one process: node:test runs every suite they register, in order,
 * and sets a failing exit code when one fails. For scripts/test-unit.sh. Node 20's runner starts a
 * process per file, and loading tsx, fastify and the Temporal client again for each of ~30 files is
 * most of a unit run on a loaded 2-core machine (measured: 31 s of CPU per file-process run against
 * 7 s in one process). npm test keeps a process per file, so a test that leans on what another file
 * left behind still shows there.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

async function main(): Promise<void> {
  for (const file of process.argv.slice(2)) await import(pathToFileURL(path.resolve(file)).href);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `could not load the tests: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
