// The soak's clock: the run is cut into 1-second epochs on a fixed schedule (epoch k ends at
// start + k s, so a late sample does not push the later ones back), and at the end of each the
// recorder takes the epoch's operation count, its real length, the heap's footprint and growth
// count and the process's RSS. Workloads only say how many operations they did and when they
// looked at the clock.

const EPOCH_MS = 1000;

export interface Epoch {
  /** 0-based. */
  readonly index: number;
  /** The epoch's real length (≥ 1 s: it ends at the first clock check past its scheduled end). */
  readonly seconds: number;
  readonly ops: number;
  readonly opsPerSec: number;
  /** heap.stats() at the end of the epoch. */
  readonly footprintBytes: number;
  readonly growths: number;
  /** process.memoryUsage.rss() at the end of the epoch (every thread of the process). */
  readonly rssBytes: number;
}

export interface HeapGauge {
  footprintBytes: number;
  growths: number;
}

export class EpochRecorder {
  readonly epochs: Epoch[] = [];
  private start = 0;
  private last = 0;

  /**
   * `total` epochs of `heap` (its stats() are read at the end of each); `onEpoch` sees each epoch
   * as it closes (progress display).
   */
  constructor(
    readonly total: number,
    private readonly heap: { stats(): HeapGauge },
    private readonly onEpoch: (e: Epoch) => void = () => {},
  ) {}

  /** Starts epoch 0 now. */
  begin(): void {
    this.start = this.last = performance.now();
  }

  get done(): boolean {
    return this.epochs.length >= this.total;
  }

  /** Milliseconds (performance.now()) at which the current epoch is due to end. */
  get dueAt(): number {
    return this.start + (this.epochs.length + 1) * EPOCH_MS;
  }

  /** Closes the current epoch if it is due at `now`, with `ops` operations done in it. Returns whether it closed. */
  closeIfDue(now: number, ops: number): boolean {
    if (now < this.dueAt) return false;
    const seconds = (now - this.last) / 1000;
    this.last = now;
    const g = this.heap.stats();
    const e: Epoch = {
      index: this.epochs.length,
      seconds,
      ops,
      opsPerSec: ops / seconds,
      footprintBytes: g.footprintBytes,
      growths: g.growths,
      rssBytes: process.memoryUsage.rss(),
    };
    this.epochs.push(e);
    this.onEpoch(e);
    return true;
  }
}
