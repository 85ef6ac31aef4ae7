// What the tests of the real node share: why they skip (runc cannot run here) and a pod network of their own.
import { runcUnavailableReason } from '../../src/kubelet/index.js';

const why = runcUnavailableReason();
/** The `skip` option for tests that run the real node: false, or "skipped: <why runc cannot run>". */
export const realNodeSkip: string | false = why ? `skipped: ${why}` : false;

/** A /16 of its own for each cluster (10.160.0.0/16 .. 10.223.0.0/16), so parallel test files never share one. */
export const ownCIDR = (): string => `10.${160 + Math.floor(Math.random() * 64)}.0.0/16`;
