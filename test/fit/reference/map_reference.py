"""Independent reference for the MAP fit of examples/patients/pk-patient.json with
examples/patients/ketamine-iv-pk-bsv.yaml: predictions from the matrix exponential of the two-compartment
system (scipy.linalg.expm, not ketasim's closed form), the same objective written from its definition
(docs/fitting.md), minimised by scipy.optimize.minimize (BFGS, then Nelder-Mead from the BFGS point as a check)
in eta space (ketasim optimises in whitened coordinates). Writes map_reference.json beside this script.

Run: python3 test/fit/reference/map_reference.py   (scipy 1.17, numpy 2)
"""
import json
import math
import os

import numpy as np
import scipy
from scipy.linalg import expm
from scipy.optimize import minimize
from scipy.stats import norm

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
record = json.load(open(os.path.join(ROOT, "examples", "patients", "pk-patient.json")))

WT = record["weight_kg"]
TVCL, TVV1, TVQ, TVV2 = 80.2, 122.7, 136.9, 166.6  # the model file's values


def hours(t):
    if isinstance(t, (int, float)):
        return float(t)
    v, u = t.split()
    return float(v) * {"min": 1 / 60, "h": 1.0, "d": 24.0}[u]


doses = []  # (start h, amount mg, duration h)
for d in record["doses"]:
    amt = d["amount"] * (WT if d["unit"] == "mg/kg" else 1.0)
    doses.append((hours(d["time"]), amt, hours(d["duration"])))
obs = []  # (time h, value or None, kind, bound)
for o in record["observations"]:
    if o.get("missing"):
        continue  # skipped (missing), as ketasim lists it unused
    if o.get("blq"):
        obs.append((hours(o["time"]), o["lloq"], "below"))
    else:
        obs.append((hours(o["time"]), o["value"], "none"))

sd = [math.sqrt(math.log(1 + cv * cv)) for cv in (0.3, 0.3, 0.4)]
omega = np.diag(np.square(sd))
omega[0, 1] = omega[1, 0] = 0.3 * sd[0] * sd[1]
omega_inv = np.linalg.inv(omega)
ADD, PROP = 2.0, 0.15


def predict(eta):
    cl = TVCL * (WT / 70) ** 0.75 * math.exp(eta[0])
    v1 = TVV1 * (WT / 70) * math.exp(eta[1])
    q = TVQ * (WT / 70) ** 0.75
    v2 = TVV2 * (WT / 70) * math.exp(eta[2])
    A = np.array([[-(cl + q) / v1, q / v2], [q / v1, -q / v2]])
    # breakpoints: infusion starts and ends, observation times
    events = sorted({0.0} | {s for s, _, _ in doses} | {s + d for s, _, d in doses} | {t for t, _, _ in obs})
    x = np.zeros(2)
    t_prev = 0.0
    out = {}
    for t in events:
        dt = t - t_prev
        if dt > 0:
            rate = sum(a / d for s, a, d in doses if s <= t_prev < s + d - 1e-12)
            # augmented system [x; 1] with input rate into the central compartment
            M = np.zeros((3, 3))
            M[:2, :2] = A
            M[0, 2] = rate
            x = (expm(M * dt) @ np.append(x, 1.0))[:2]
        t_prev = t
        out[t] = 1000 * x[0] / v1
    return [out[t] for t, _, _ in obs]


def ofv(eta):
    f = predict(eta)
    s = 0.0
    for (t, y, kind), fi in zip(obs, f):
        sdv = math.sqrt(ADD ** 2 + (PROP * fi) ** 2)
        if kind == "none":
            s += ((y - fi) / sdv) ** 2 + math.log(2 * math.pi * sdv * sdv)
        else:
            s += -2 * norm.logcdf((y - fi) / sdv)
    e = np.asarray(eta)
    return s + float(e @ omega_inv @ e)


bfgs = minimize(ofv, np.zeros(3), method="BFGS", options={"gtol": 1e-10, "maxiter": 1000})
nm = minimize(ofv, bfgs.x, method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 20000})
best = nm if nm.fun < bfgs.fun else bfgs


def hessian(fun, x, h=1e-4):
    n = len(x)
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei = np.eye(n)[i] * h
            ej = np.eye(n)[j] * h
            H[i, j] = (fun(x + ei + ej) - fun(x + ei - ej) - fun(x - ei + ej) + fun(x - ei - ej)) / (4 * h * h)
    return H


cov = 2 * np.linalg.inv(hessian(ofv, best.x))
result = {
    "scipy": scipy.__version__,
    "numpy": np.__version__,
    "eta": list(best.x),
    "ofv": best.fun,
    "bfgs_eta": list(bfgs.x),
    "nelder_mead_eta": list(nm.x),
    "covariance": cov.flatten().tolist(),
    "predictions_at_map": predict(best.x),
}
json.dump(result, open(os.path.join(HERE, "map_reference.json"), "w"), indent=1)
print(json.dumps(result, indent=1))
