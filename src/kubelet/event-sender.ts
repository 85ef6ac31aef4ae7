// How the kubelet's events reach the API, as upstream's event broadcaster sends them: an event is recorded when it
// happens (its time and text fixed then), and one sender writes the recorded events in the background, in order,
// one at a time, starting once the code that recorded them has yielded. A pod's start records Pulled, Created and
// Started on its way to Running: written inline, each write ran in the API server ahead of the pod's own status
// patch, the one write a client waiting for Running sees; now the patch goes first and the events follow.
// Aggregation (count, lastTimestamp) stays the EventRecorder's. At most MAX_QUEUED wait; beyond that new ones are
// dropped with a log line, as upstream's broadcaster drops them when its queue is full.
import type { Clock } from '../client/clock.js';
import { realClock } from '../client/clock.js';
import { EventRecorder, referenceTo, type EventRecorderOptions, type EventType, type ObjectReference } from '../client/events.js';
import type { KubeObject } from '../api/object.js';
import { stderrLog, type LogFn } from '../client/log.js';

const MAX_QUEUED = 1000;

interface Pending { ref: ObjectReference; type: EventType; reason: string; message: string; at: number; done: () => void }

export class EventSender {
  private readonly recorder: EventRecorder;
  private readonly clock: Clock;
  private readonly log: LogFn;
  private readonly queue: Pending[] = [];
  /** The recording time of the event being handed to the recorder (its clock answers with it). */
  private stamp: number | undefined;
  private draining = false;

  constructor(opts: EventRecorderOptions) {
    const clock = opts.clock ?? realClock;
    this.clock = clock;
    this.log = opts.log ?? stderrLog;
    // The recorder reads its clock synchronously as it starts recording (timestamps, the name's nanoseconds), so an
    // event written later still carries the time it was recorded at (a test checks this).
    this.recorder = new EventRecorder({
      ...opts,
      clock: { now: () => this.stamp ?? clock.now(), setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h) },
    });
  }

  /** Records an event now; resolves once it has been written (or failed, which is logged): callers need not wait. */
  event(obj: KubeObject | ObjectReference, type: EventType, reason: string, message: string): Promise<void> {
    if (this.queue.length >= MAX_QUEUED) {
      this.log({ level: 'warn', msg: 'event queue full; event dropped', reason });
      return Promise.resolve();
    }
    return new Promise<void>((done) => {
      this.queue.push({ ref: referenceTo(obj), type, reason, message, at: this.clock.now(), done });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => { void this.drain(); });
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      for (let e = this.queue.shift(); e; e = this.queue.shift()) {
        this.stamp = e.at;
        let written: Promise<void>;
        try { written = this.recorder.event(e.ref, e.type, e.reason, e.message); } finally { this.stamp = undefined; }
        await written;
        e.done();
      }
    } finally {
      this.draining = false;
    }
  }
}
