/**
 * The peers of ../shared/baselines, run in the same benchmark invocation where installed: the C lower bound
 * (gcc), scipy (python3 with scipy), deSolve and mrgsolve (Rscript with the package). The peer scripts are run on
 * a temporary copy of the baselines folder, so the shared folder stays untouched. Peers that are not installed
 * are reported with the timings recorded on the same machine kind (bench/peers-recorded.csv), marked as such.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PeerTiming {
  readonly peer: string;
  readonly problem: string;
  readonly n: number;
  readonly medianSeconds: number;
  /** 'measured' in this run, or 'recorded' (from bench/peers-recorded.csv). */
  readonly source: 'measured' | 'recorded';
}

function available(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 60_000 });
  return r.status === 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Parse the peers' `TIMING,peer,problem,N,rep,seconds` lines into medians. */
function parseTimings(text: string): PeerTiming[] {
  const groups = new Map<string, { peer: string; problem: string; n: number; secs: number[] }>();
  for (const line of text.split('\n')) {
    const m = /^TIMING,([^,]+),([^,]+),(\d+),(\d+),([0-9.eE+-]+)/.exec(line.trim());
    if (m === null) continue;
    const key = `${m[1]}|${m[2]}|${m[3]}`;
    const g = groups.get(key) ?? { peer: m[1] as string, problem: m[2] as string, n: Number(m[3]), secs: [] };
    g.secs.push(Number(m[5]));
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ peer: g.peer, problem: g.problem, n: g.n, medianSeconds: median(g.secs), source: 'measured' as const }));
}

/** The C lower bound of P2 (limit/p2_closed.c): compiled with gcc, run; best-of-5 seconds of both variants. */
export class CLowerBound {
  private constructor(
    private readonly exe: string,
    private readonly subjects: string,
    private readonly work: string,
  ) {}

  static compile(baselinesDir: string): CLowerBound | undefined {
    const source = join(baselinesDir, 'limit', 'p2_closed.c');
    if (!existsSync(source) || !available('gcc', ['--version'])) return undefined;
    const work = mkdtempSync(join(tmpdir(), 'ketasim-clb-'));
    const exe = join(work, 'p2_closed');
    execFileSync('gcc', ['-O2', '-march=native', '-o', exe, source, '-lm']);
    return new CLowerBound(exe, join(baselinesDir, 'params', 'subjects_N10000.csv'), work);
  }

  run(): { perPoint: number; recurrence: number } {
    const out = execFileSync(this.exe, ['10000', this.subjects], { encoding: 'utf8' });
    const m = /exp-per-point: ([0-9.]+) s.*recurrence: ([0-9.]+) s/.exec(out);
    if (m === null) throw new Error(`unexpected output of p2_closed: ${out}`);
    return { perPoint: Number(m[1]), recurrence: Number(m[2]) };
  }

  dispose(): void {
    rmSync(this.work, { recursive: true, force: true });
  }
}

export interface PeerRunOptions {
  readonly baselinesDir: string;
  readonly reps: number;
  readonly peers: readonly string[];
  readonly log: (msg: string) => void;
}

export function runPeers(opts: PeerRunOptions): PeerTiming[] {
  const { baselinesDir, reps, peers, log } = opts;
  if (!existsSync(join(baselinesDir, 'common', 'model.md'))) {
    log(`peers: ${baselinesDir} not found; using recorded peer timings only`);
    return [];
  }
  const work = mkdtempSync(join(tmpdir(), 'ketasim-bench-'));
  const copy = join(work, 'baselines');
  cpSync(baselinesDir, copy, { recursive: true, filter: (src) => !src.includes(`${baselinesDir}/out`) });
  const results: PeerTiming[] = [];
  try {
    const c = peers.includes('c') ? CLowerBound.compile(copy) : undefined;
    if (c !== undefined) {
      log('peer: C lower bound (gcc -O2 -march=native, limit/p2_closed.c), P2 N=10000');
      const t = c.run();
      c.dispose();
      results.push({ peer: 'C exp() per point', problem: 'P2', n: 10000, medianSeconds: t.perPoint, source: 'measured' });
      results.push({ peer: 'C exp recurrence', problem: 'P2', n: 10000, medianSeconds: t.recurrence, source: 'measured' });
    }
    const python = ['python3', '/usr/bin/python3'].find((p) => available(p, ['-c', 'import scipy, numpy']));
    if (peers.includes('scipy') && python !== undefined) {
      log(`peer: scipy odeint + numpy closed form (${python}), P1-P4 (P2 at N=1000), ${reps} reps — takes ~1 min`);
      const r = spawnSync(python, ['bench.py', 'p1', 'p2', 'p3', 'p4', `--reps=${reps}`, '--flavours=odeint,closed', '--p2n=1000'], {
        cwd: join(copy, 'scipy'),
        encoding: 'utf8',
        env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
        maxBuffer: 64 * 1024 * 1024,
      });
      if (r.status === 0) results.push(...parseTimings(r.stdout));
      else log(`peer scipy failed: ${r.stderr.split('\n').slice(-3).join(' ')}`);
    }
    const hasR = available('Rscript', ['--version']);
    if (peers.includes('desolve') && hasR && available('Rscript', ['-e', 'library(deSolve)'])) {
      log('peer: deSolve (C right-hand side), P1-P4 (P2 at N=1000)');
      const r = spawnSync('bash', ['run.sh', 'p1', 'p2', 'p3', 'p4', `--reps=${reps}`, '--flavours=C', '--p2n=1000'], { cwd: join(copy, 'desolve'), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (r.status === 0) results.push(...parseTimings(r.stdout));
      else log(`peer deSolve failed: ${r.stderr.split('\n').slice(-3).join(' ')}`);
    }
    if (peers.includes('mrgsolve') && hasR && available('Rscript', ['-e', 'library(mrgsolve)'])) {
      log('peer: mrgsolve, P1-P4 (P2 at N=1000)');
      const r = spawnSync('bash', ['run.sh', 'p1', 'p2', 'p3', 'p4', `--reps=${reps}`], { cwd: join(copy, 'mrgsolve'), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (r.status === 0) results.push(...parseTimings(r.stdout));
      else log(`peer mrgsolve failed: ${r.stderr.split('\n').slice(-3).join(' ')}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}

/** Timings recorded by the baselines on the same machine kind, for peers not measured in this run. */
export function recordedPeers(file: string): PeerTiming[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = (lines[0] as string).split(',');
  const col = (name: string): number => header.indexOf(name);
  return lines.slice(1).map((line) => {
    const c = line.split(',');
    return {
      peer: c[col('peer')] as string,
      problem: (c[col('problem')] as string).replace(/_common$/, ''),
      n: Number(c[col('n')]),
      medianSeconds: Number(c[col('median_s')]),
      source: 'recorded' as const,
    };
  });
}
