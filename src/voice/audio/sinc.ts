/**
 * Streaming windowed-sinc (Kaiser) sample-rate converter on float channels.
 * Polyphase: exact phases for rational ratios with up to 1024 phases, else phases quantised to 1/1024 sample.
 */

const ZERO_CROSSINGS = 10;
const ROLLOFF = 0.92;
const KAISER_BETA = 8.6;
const MAX_PHASES = 1024;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Modified Bessel function of the first kind, order 0. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 30; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

function sinc(x: number): number {
  return x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
}

function buildTable(phases: number, taps: number, half: number, cutoff: number): Float32Array[] {
  const norm = besselI0(KAISER_BETA);
  const table: Float32Array[] = [];
  for (let p = 0; p < phases; p++) {
    const frac = p / phases;
    const row = new Float32Array(taps);
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      const d = t - (taps / 2 - 1) - frac;
      const r = d / half;
      const w = Math.abs(r) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / norm;
      const v = cutoff * sinc(cutoff * d) * w;
      row[t] = v;
      sum += v;
    }
    for (let t = 0; t < taps; t++) row[t] = (row[t] ?? 0) / sum;
    table.push(row);
  }
  return table;
}

export class SincResampler {
  private readonly up: number;
  private readonly down: number;
  private readonly phases: number;
  private readonly taps: number;
  private readonly table: Float32Array[];
  /** Per channel: input samples from absolute index histStart on. */
  private hist: Float32Array[];
  private histStart: number;
  private totalIn = 0;
  private nextOut = 0;

  constructor(
    inRate: number,
    outRate: number,
    readonly channels: number,
  ) {
    if (!(inRate > 0 && outRate > 0 && Number.isInteger(inRate) && Number.isInteger(outRate))) {
      throw new RangeError(`invalid sample rates ${inRate} -> ${outRate}`);
    }
    const g = gcd(inRate, outRate);
    this.up = outRate / g;
    this.down = inRate / g;
    this.phases = Math.min(this.up, MAX_PHASES);
    const cutoff = Math.min(1, this.up / this.down) * ROLLOFF;
    const half = ZERO_CROSSINGS / cutoff;
    this.taps = 2 * Math.ceil(half);
    this.table = buildTable(this.phases, this.taps, half, cutoff);
    const lead = this.taps / 2 - 1;
    this.histStart = -lead;
    this.hist = Array.from({ length: channels }, () => new Float32Array(lead));
  }

  /** Feeds samples (one array per channel, equal lengths); returns the outputs that are now complete. */
  push(input: Float32Array[]): Float32Array[] {
    const n = input[0]?.length ?? 0;
    this.hist = this.hist.map((h, c) => concat(h, input[c] ?? new Float32Array(n)));
    this.totalIn += n;
    return this.produce(false);
  }

  /** Pads the end with zeros and returns the remaining outputs. */
  flush(): Float32Array[] {
    const pad = this.taps / 2;
    this.hist = this.hist.map((h) => concat(h, new Float32Array(pad)));
    return this.produce(true);
  }

  private position(k: number): { base: number; phase: number } {
    const num = k * this.down;
    let base = Math.floor(num / this.up);
    const rem = num - base * this.up;
    let phase = this.phases === this.up ? rem : Math.round((rem * this.phases) / this.up);
    if (phase === this.phases) {
      base += 1;
      phase = 0;
    }
    return { base, phase };
  }

  private produce(final: boolean): Float32Array[] {
    const lastOut = final
      ? Math.ceil((this.totalIn * this.up) / this.down)
      : Math.ceil(((this.totalIn - this.taps / 2 - 1) * this.up) / this.down);
    const count = Math.max(0, lastOut - this.nextOut);
    const out = Array.from({ length: this.channels }, () => new Float32Array(count));
    const lead = this.taps / 2 - 1;
    for (let i = 0; i < count; i++) {
      const { base, phase } = this.position(this.nextOut + i);
      const row = this.table[phase] as Float32Array;
      const from = base - lead - this.histStart;
      for (let c = 0; c < this.channels; c++) {
        const h = this.hist[c] as Float32Array;
        let acc = 0;
        for (let t = 0; t < this.taps; t++) acc += (h[from + t] ?? 0) * (row[t] as number);
        (out[c] as Float32Array)[i] = acc;
      }
    }
    this.nextOut += count;
    this.trim();
    return out;
  }

  private trim(): void {
    const keepFrom = this.position(this.nextOut).base - (this.taps / 2 - 1);
    const drop = keepFrom - this.histStart;
    if (drop <= 0) return;
    this.hist = this.hist.map((h) => h.slice(Math.min(drop, h.length)));
    this.histStart += drop;
  }
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length === 0) return b.slice();
  const out = new Float32Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
