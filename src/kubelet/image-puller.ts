// imagePullPolicy against the local image store (upstream's pkg/kubelet/images image manager): IfNotPresent and
// Never use the image when present; Always asks the image service (which resolves from the local store, as a pull
// from a registry that holds exactly what was built or loaded). A missing image is ErrImagePull (the image
// service's message says how to build or load it), then ImagePullBackOff while the back-off (10 s doubling to
// 5 min, as upstream's) runs; Never with a missing image is ErrImageNeverPull.
import type { Container } from 'kubernetes-types/core/v1.js';
import { Backoff } from './backoff.js';
import type { Clock } from '../client/clock.js';
import type { Image, ImageService } from './runtime/runtime.js';

/**
 * When a pull failed, the pod is synced again this soon (never later than the back-off's end), and that sync finds
 * the image in back-off: ErrImagePull turns into ImagePullBackOff within about a second. Upstream's kubelet gets
 * the same second sync from its own status write coming back through its pod watch; without it the pod would show
 * ErrImagePull for ever, each retry landing exactly when the back-off ends.
 */
export const PULL_FAILURE_RESYNC_MS = 1_000;

export type PullResult =
  | { ok: true; image: Image; event: { reason: string; message: string } }
  | { ok: false; reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName'; message: string; events: { type: 'Normal' | 'Warning'; reason: string; message: string }[]; retryAfterMs?: number };

export function pullPolicy(c: Container): 'Always' | 'IfNotPresent' | 'Never' {
  if (c.imagePullPolicy) return c.imagePullPolicy as 'Always' | 'IfNotPresent' | 'Never';
  const image = c.image ?? '';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const tagged = last.includes(':') && !image.includes('@');
  return !tagged || last.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

export class ImagePuller {
  private readonly backoff: Backoff;
  /** key → when the last pull failed (ms). */
  private readonly failedAt = new Map<string, number>();

  constructor(private readonly images: ImageService, private readonly clock: Clock) {
    this.backoff = new Backoff(clock);
  }

  async ensure(podUid: string, c: Container): Promise<PullResult> {
    const image = c.image ?? '';
    if (!image.trim()) return { ok: false, reason: 'InvalidImageName', message: 'Failed to apply default image tag "": couldn\'t parse image name "": invalid reference format', events: [{ type: 'Warning', reason: 'InspectFailed', message: 'Failed to apply default image tag "": couldn\'t parse image name "": invalid reference format' }] };
    const key = `${podUid}/${image}`;
    const policy = pullPolicy(c);
    const present = await this.images.imageStatus({ image });
    if (present && policy !== 'Always') {
      this.forget(key);
      return { ok: true, image: present, event: { reason: 'Pulled', message: `Container image "${image}" already present on machine` } };
    }
    if (policy === 'Never') {
      const message = `Container image "${image}" is not present with pull policy of Never`;
      return { ok: false, reason: 'ErrImageNeverPull', message, events: [{ type: 'Warning', reason: 'ErrImageNeverPull', message }] };
    }
    const failed = this.failedAt.get(key);
    if (failed !== undefined && this.backoff.isInBackOffSince(key, failed)) {
      return {
        ok: false, reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"`, retryAfterMs: this.backoff.remaining(key, failed),
        events: [{ type: 'Normal', reason: 'BackOff', message: `Back-off pulling image "${image}"` }, { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff' }],
      };
    }
    try {
      const t0 = this.clock.now();
      await this.images.pullImage({ image });
      const got = await this.images.imageStatus({ image });
      if (!got) throw new Error(`image "${image}" vanished right after it was pulled`);
      this.forget(key);
      if (present) return { ok: true, image: got, event: { reason: 'Pulled', message: `Container image "${image}" already present on machine` } };
      const ms = this.clock.now() - t0;
      return { ok: true, image: got, event: { reason: 'Pulled', message: `Successfully pulled image "${image}" in ${ms}ms (${ms}ms including waiting). Image size: ${got.size} bytes.` } };
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      const now = this.clock.now();
      this.backoff.next(key, now);
      this.failedAt.set(key, now);
      return {
        ok: false, reason: 'ErrImagePull', message: why, retryAfterMs: Math.min(PULL_FAILURE_RESYNC_MS, this.backoff.get(key)),
        events: [
          { type: 'Normal', reason: 'Pulling', message: `Pulling image "${image}"` },
          { type: 'Warning', reason: 'Failed', message: `Failed to pull image "${image}": ${why}` },
          { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull' },
        ],
      };
    }
  }

  forgetPod(podUid: string): void {
    for (const k of this.failedAt.keys()) if (k.startsWith(`${podUid}/`)) { this.failedAt.delete(k); this.backoff.reset(k); }
  }

  private forget(key: string): void { this.failedAt.delete(key); this.backoff.reset(key); }
}
