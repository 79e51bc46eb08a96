/**
 * Events implied by dose records, waiting for their time: additional doses (ADDL), lagged administrations,
 * infusion ends. A binary min-heap ordered by time, then by creation order, so that events at equal times
 * happen in the order they were scheduled.
 */

export const enum PendingKind {
  /** An additional dose (ADDL) at its nominal time: F, lag and rate are evaluated then (NOCB parameters). */
  AdditionalDose = 0,
  /** A bolus amount arriving (after lag). */
  Bolus = 1,
  /** An infusion starting (after lag). */
  InfusionStart = 2,
  /** An infusion ending. */
  InfusionEnd = 3,
}

export interface PendingEvent {
  time: number;
  seq: number;
  kind: PendingKind;
  /** 0-based compartment. */
  cmt: number;
  /** Bolus amount or infusion total amount (after F). */
  amount: number;
  /** Infusion rate (amount/time). */
  rate: number;
  /** Infusion duration. */
  duration: number;
  /** Infusion identity (to end the right one). */
  infusion: number;
  /** For AdditionalDose: the dose record's AMT, RATE, DUR fields, II, and how many more doses follow this one. */
  recordAmount: number;
  recordRate: number;
  recordDuration: number;
  interval: number;
  remaining: number;
  /** Index of the record that created the event (for error messages). */
  record: number;
}

export class PendingQueue {
  private heap: PendingEvent[] = [];
  private counter = 0;
  /** Recycled event objects: a population simulation creates no garbage per dose. */
  private readonly free: PendingEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  clear(): void {
    for (const e of this.heap) this.free.push(e);
    if (this.heap.length > 0) this.heap.length = 0;
  }

  /** A blank event (from the free list when possible), to fill in and `push`. */
  create(kind: PendingKind, time: number, cmt: number, record: number): PendingEvent {
    const e = this.free.pop() ?? {
      time: 0, seq: 0, kind, cmt: 0, amount: 0, rate: 0, duration: 0, infusion: 0,
      recordAmount: 0, recordRate: 0, recordDuration: 0, interval: 0, remaining: 0, record: 0,
    };
    e.time = time;
    e.kind = kind;
    e.cmt = cmt;
    e.amount = 0;
    e.rate = 0;
    e.duration = 0;
    e.infusion = 0;
    e.recordAmount = 0;
    e.recordRate = 0;
    e.recordDuration = 0;
    e.interval = 0;
    e.remaining = 0;
    e.record = record;
    return e;
  }

  /** Return a popped event that is not pushed again. */
  recycle(e: PendingEvent): void {
    this.free.push(e);
  }

  /** Earliest time, or Infinity when empty. */
  peekTime(): number {
    return this.heap.length === 0 ? Infinity : (this.heap[0] as PendingEvent).time;
  }

  push(e: PendingEvent): void {
    e.seq = this.counter++;
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(e, h[parent] as PendingEvent)) break;
      h[i] = h[parent] as PendingEvent;
      i = parent;
    }
    h[i] = e;
  }

  pop(): PendingEvent {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) throw new Error('PendingQueue.pop on empty queue');
    const last = h.pop() as PendingEvent;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        let item = last;
        if (l < h.length && before(h[l] as PendingEvent, item)) {
          smallest = l;
          item = h[l] as PendingEvent;
        }
        if (r < h.length && before(h[r] as PendingEvent, item)) smallest = r;
        if (smallest === i) break;
        h[i] = h[smallest] as PendingEvent;
        i = smallest;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: PendingEvent, b: PendingEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
