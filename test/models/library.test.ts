/**
 * The ketamine library's provenance rules, checked on every model file: no number without a unit and a way to
 * trace it. Published, derived and calibrated values name their source; derived and calibrated ones say how
 * (note); assumed ones say why. Every model loads and compiles with its bases and fragments merged.
 */
import { describe, expect, it } from 'vitest';
import { listLibrary, loadModelByName } from '../../src/node/library.js';

const ketamine = listLibrary().filter((e) => e.file.startsWith('ketamine/'));

describe('ketamine library', () => {
  it('has the models the issue asks for', () => {
    const names = ketamine.map((e) => e.name);
    for (const n of ['ketamine-racemic', 'ketamine-iv-domino', 'ketamine-iv-clements', 'ketamine-iv-hijazi', 'esketamine-in-perezruixo', 'ketamine-depression', 'esketamine-depression']) {
      expect(names).toContain(n);
    }
  });

  for (const entry of ketamine) {
    describe(entry.name, () => {
      it('compiles', () => {
        expect(() => loadModelByName(entry.name)).not.toThrow();
      });

      it('gives every parameter a unit, evidence and its trace', () => {
        const problems: string[] = [];
        for (const [name, p] of Object.entries(entry.spec.parameters)) {
          if (p.evidence === undefined) problems.push(`${name}: no evidence`);
          if ((p.evidence === 'published' || p.evidence === 'derived' || p.evidence === 'calibrated') && p.source === undefined && !/molar mass|maximum score/.test(p.description ?? '')) {
            problems.push(`${name}: ${p.evidence} without source`);
          }
          if ((p.evidence === 'derived' || p.evidence === 'calibrated' || p.evidence === 'assumed') && p.note === undefined && p.description === undefined) {
            problems.push(`${name}: ${p.evidence} without a note saying how or why`);
          }
          if (p.evidence === 'calibrated' && !/calibrat/i.test(`${p.note ?? ''} ${entry.spec.calibration ?? ''}`)) problems.push(`${name}: calibrated but the note does not say on what`);
          if (p.source !== undefined && /^[a-z0-9_]+$/.test(p.source) && entry.spec.references[p.source] === undefined) problems.push(`${name}: source ${p.source} is not in references`);
        }
        for (const [name, r] of Object.entries(entry.spec.random)) {
          if (r.evidence === undefined && r.source === undefined) problems.push(`random ${name}: no evidence or source`);
        }
        expect(problems).toEqual([]);
      });

      it('states how it was calibrated', () => {
        expect(entry.spec.calibration ?? '').not.toBe('');
      });
    });
  }
});
