/**
 * A loopback port nothing listens on now, for a child process or proxy of a test, the bench or a
 * chaos run. The OS picks it; the short race with other programs until the child binds it is
 * accepted. The same helper the worker uses for its SDK metrics endpoint (src/observability/loopback-port.ts).
 */
export { freeLoopbackPort as freePort } from '../../src/observability/loopback-port';
