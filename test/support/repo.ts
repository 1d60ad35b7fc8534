/** Where the repository is, for every tool that runs from it: tests, bench/ and chaos/. */
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');

/** The compiled service binary, as `npm run build` writes it and operators run it. */
export const SERVICE_MAIN = path.join(REPO_ROOT, 'dist/src/main.js');
