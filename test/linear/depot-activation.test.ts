/**
 * The closed form leaves out the paths of depots that have held no drug since the last reset, and takes them in
 * when a dose arrives. A subject dosed by three routes one after another (each depot joins mid-subject, after
 * transitions were cached without it) must equal the sum of three subjects dosed by one route each
 * (superposition), for every output of a multi-depot model.
 */
import { describe, expect, it } from 'vitest';
import { datasetFromRows } from '../../src/io/nmdata/index.js';
import { simulate } from '../../src/core/simulate/simulate.js';
import { parseGrid, withObservationGrid } from '../../src/core/data/augment.js';
import { loadModelByName } from '../../src/node/library.js';

describe('closed form: depots join when dosed', () => {
  it('three routes in one subject = the sum of one route per subject', () => {
    const model = loadModelByName('ketamine-racemic');
    const cmt = (name: string): number => model.compartments.indexOf(name) + 1;
    const doses = [
      { TIME: 0, AMT: 50, CMT: cmt('IM') },
      { TIME: 3, AMT: 200, CMT: cmt('ORAL') },
      { TIME: 7, AMT: 25, CMT: cmt('SL') },
    ];
    const grid = parseGrid('0:24:0.25');
    const rows = (id: number, ds: typeof doses) => ds.map((d) => ({ ID: id, EVID: 1, WT: 70, ...d }));
    const together = datasetFromRows(rows(1, doses), 'together');
    const apart = datasetFromRows([...rows(1, [doses[0]!]), ...rows(2, [doses[1]!]), ...rows(3, [doses[2]!])], 'apart');
    const withGrid = (d: typeof together) => ({ ...d, subjects: d.subjects.map((s) => withObservationGrid(s, grid)) });
    const a = simulate(model, withGrid(together));
    const b = simulate(model, withGrid(apart));
    const rowsPer = a.rows;
    const times = withGrid(together).subjects[0]!.time;
    const evid = withGrid(together).subjects[0]!.evid;
    // CP and CE are closed form (exact: superposition to rounding); CNK comes from the model's ODEs (to its
    // solver tolerance); NMDA_OCC is not linear in the dose.
    for (const [name, tolerance] of [['CP', 1e-12], ['CE', 1e-12], ['CNK', 1e-3], ['NMDA_OCC', 0]] as const) {
      const k = a.outputNames.indexOf(name);
      expect(k).toBeGreaterThanOrEqual(0);
      const sumAt = (t: number): number => {
        let s = 0;
        for (let subj = 0; subj < 3; subj++) {
          const from = b.subjectOffsets[subj]!;
          const to = b.subjectOffsets[subj + 1]!;
          const ts = b.dataset.subjects[subj]!.time;
          const ev = b.dataset.subjects[subj]!.evid;
          for (let r = from; r < to; r++) if (ts[r - from] === t && ev[r - from] === 0) s += b.values[k]![r]!;
        }
        return s;
      };
      if (name === 'NMDA_OCC') {
        // occupancy is not linear in the dose: it only has to be finite
        expect(Array.from(a.values[k]!.subarray(0, rowsPer)).every(Number.isFinite)).toBe(true);
        continue;
      }
      let scale = 0;
      for (let r = 0; r < rowsPer; r++) scale = Math.max(scale, Math.abs(a.values[k]![r]!));
      for (let r = 0; r < rowsPer; r++) {
        if (evid[r] !== 0) continue;
        expect(Math.abs(a.values[k]![r]! - sumAt(times[r]!)), `${name} at ${times[r]} h`).toBeLessThan(tolerance * scale);
      }
    }
  });
});
