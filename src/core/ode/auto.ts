/**
 * 'auto': DOPRI5 that hands over to BDF when the problem turns stiff, in the spirit of LSODA (which switches
 * between Adams and BDF). Typical case: a PK/PD model with fast turnover states (minutes to an hour) followed for
 * days or months after the last dose, when nothing changes fast any more but DOPRI5's steps stay limited by the
 * stability of the fast states (h ≈ 3.3/|λ|) rather than by accuracy; BDF then takes steps of many hours.
 *
 * Every `init` (a dose, an infusion start or stop, a covariate change: the simulator restarts at each) starts
 * with DOPRI5, which is cheaper per step while the solution changes fast. When DOPRI5's stiffness test fires
 * (Hairer's: h·|λ| at the stability limit on 15 accepted steps), BDF continues from the time and state DOPRI5 has
 * reached and stays in charge until the next `init`. Output times at or before the switch are interpolated by
 * DOPRI5's last step, later ones by BDF. Each method controls its local error with its own factor of the requested
 * tolerances (LOCAL_ERROR_FACTOR in index.ts).
 */
import { BdfIntegrator } from './bdf.js';
import { Dopri5Integrator } from './dopri5.js';
import type { OdeIntegrator, OdeOptions, OdeRhs, OdeStats } from './types.js';
import { float64 } from '../buffers.js';

export class AutoIntegrator implements OdeIntegrator {
  readonly method = 'auto' as const;
  private readonly explicit: Dopri5Integrator;
  private readonly implicit: BdfIntegrator;
  private readonly handover: Float64Array;
  /** BDF is in charge from `switchedAt` on (until the next init). */
  private useImplicit = false;
  private switchedAt = 0;
  /** Number of hand-overs to BDF since the integrator was created (for tests and diagnostics). */
  switches = 0;

  /** `explicitOptions` and `implicitOptions` carry each method's own local error tolerances. */
  constructor(n: number, rhs: OdeRhs, explicitOptions: OdeOptions, implicitOptions: OdeOptions) {
    this.explicit = new Dopri5Integrator(n, rhs, explicitOptions);
    this.explicit.handOverWhenStiff = true;
    this.implicit = new BdfIntegrator(n, rhs, implicitOptions);
    this.handover = float64(n);
  }

  init(t0: number, y0: Float64Array): void {
    this.useImplicit = false;
    this.explicit.init(t0, y0);
  }

  advanceTo(tOut: number, tStop: number, yOut: Float64Array): void {
    if (this.useImplicit) {
      // Outputs inside DOPRI5's last step (at or before the hand-over) come from its interpolant.
      if (tOut <= this.switchedAt) this.explicit.advanceTo(tOut, tStop, yOut);
      else this.implicit.advanceTo(tOut, tStop, yOut);
      return;
    }
    // DOPRI5 returns early, short of tOut, when its stiffness test fires: BDF goes on from where it stopped.
    this.explicit.advanceTo(tOut, tStop, yOut);
    if (this.explicit.stiff && this.explicit.t < tStop) {
      this.switchedAt = this.explicit.t;
      this.explicit.currentState(this.handover);
      this.implicit.init(this.switchedAt, this.handover);
      this.useImplicit = true;
      this.switches++;
      if (this.explicit.t < tOut) this.implicit.advanceTo(tOut, tStop, yOut);
    }
  }

  get t(): number {
    return this.useImplicit ? this.implicit.t : this.explicit.t;
  }

  /** Both methods' counters added up. */
  get stats(): OdeStats {
    const a = this.explicit.stats;
    const b = this.implicit.stats;
    return {
      steps: a.steps + b.steps,
      rejected: a.rejected + b.rejected,
      rhsEvals: a.rhsEvals + b.rhsEvals,
      jacEvals: a.jacEvals + b.jacEvals,
      luDecomps: a.luDecomps + b.luDecomps,
    };
  }
}
