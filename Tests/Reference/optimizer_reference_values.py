#!/usr/bin/env python3
# (Kept outside Tests/DPTrainTests so that SwiftPM does not warn about an unhandled file.)
"""Reference values for OptimizerReferenceTests.swift.

Run:  python3 Tests/Reference/optimizer_reference_values.py > Tests/DPTrainTests/Optimizers/OptimizerReferenceValues.swift

Fixture (same as OptimizerFixture in the tests): a weight slice w (3 elements, decays) and a
bias slice b (2 elements, does not decay). Three steps with fixed gradients and learning rates
0.1, 0.05, 0.02; the expected parameters [w..., b...] after each step are recorded.

* SGD / AdaGrad / RMSProp / Adam / AdamW: torch.optim in float64, with two parameter groups
  (w with the case's weight_decay, b with weight_decay = 0) to get "biases are not decayed".
* L1 cases: torch.optim, with l1*sign(w) added to w.grad before each step (b: none).
* Decoupled SGD: torch.optim.SGD(weight_decay=0), with w *= (1 - lr*wd) before each step.
* LARS, LAMB: torch has none; an independent numpy float64 transcription of the formulas
  (You et al. 2017 / 2019) below.
* Momentum without correction (`momentum_correction: false`): numpy float64 transcription of
  the velocity form v <- mu*v + lr*g, w <- w - v of Caffe, Keras and the LARS paper. With
  Goyal et al.'s correction (v scaled by lr_t/lr_{t-1} when the LR changes) the same
  transcription must equal torch's SGD; the script asserts it before printing.
"""
import numpy as np
import torch

torch.set_default_dtype(torch.float64)

W0 = [0.5, -1.0, 2.0]
B0 = [0.1, -0.3]
GRADS = [
    [0.2, -0.4, 0.6, 0.05, -0.1],
    [-0.1, 0.3, 0.5, 0.02, 0.08],
    [0.25, -0.15, -0.3, -0.06, 0.04],
]
LRS = [0.1, 0.05, 0.02]


def run_torch(make, wd=0.0, l1=0.0, decoupled_sgd_wd=0.0):
    w = torch.tensor(W0, requires_grad=True)
    b = torch.tensor(B0, requires_grad=True)
    opt = make([{"params": [w], "weight_decay": wd}, {"params": [b], "weight_decay": 0.0}])
    out = []
    for g, lr in zip(GRADS, LRS):
        for group in opt.param_groups:
            group["lr"] = lr
        with torch.no_grad():
            w.grad = torch.tensor(g[:3]) + l1 * torch.sign(w)
            b.grad = torch.tensor(g[3:])
            if decoupled_sgd_wd:
                w.mul_(1 - lr * decoupled_sgd_wd)
        opt.step()
        out.append(w.detach().tolist() + b.detach().tolist())
    return out


def run_velocity(momentum=0.9, dampening=0.0, nesterov=False, wd=0.0, correction=False):
    """Sutskever's velocity form: v <- c*mu*v + (1-dampening)*lr*g' (v = lr*g' at step 1),
    w <- w - d with d = lr*g' + mu*v (nesterov) or v; c = lr_t/lr_{t-1} with Goyal et al.'s
    momentum correction, else 1. g' = g + wd*w on w only."""
    params = [np.array(W0), np.array(B0)]
    decays = [True, False]
    vel = [np.zeros(3), np.zeros(2)]
    out = []
    previous = None
    for t, (g, lr) in enumerate(zip(GRADS, LRS)):
        grads = [np.array(g[:3]), np.array(g[3:])]
        c = lr / previous if correction and previous else 1.0
        for i in range(2):
            p = params[i]
            gp = grads[i] + (wd * p if decays[i] else 0.0)
            if t == 0:
                vel[i] = lr * gp
            else:
                vel[i] = c * momentum * vel[i] + (1 - dampening) * lr * gp
            d = lr * gp + momentum * vel[i] if nesterov else vel[i]
            params[i] = p - d
        previous = lr
        out.append(list(params[0]) + list(params[1]))
    return out


def run_lars(trust=0.001, momentum=0.9, wd=0.0, eps=0.0, correction=True):
    """correction=False: the paper's velocity v <- mu*v + lr*rho*(g + wd*w), w <- w - v."""
    params = [np.array(W0), np.array(B0)]
    decays = [True, False]
    bufs = [np.zeros(3), np.zeros(2)]
    out = []
    for g, lr in zip(GRADS, LRS):
        grads = [np.array(g[:3]), np.array(g[3:])]
        for i in range(2):
            p, gr = params[i], grads[i]
            if decays[i]:
                pn, gn = np.linalg.norm(p), np.linalg.norm(gr)
                rho = trust * pn / (gn + wd * pn + eps) if pn > 0 and gn > 0 else 1.0
                d = rho * (gr + wd * p)
            else:
                d = gr
            if correction:
                bufs[i] = momentum * bufs[i] + d
                params[i] = p - lr * bufs[i]
            else:
                bufs[i] = momentum * bufs[i] + lr * d
                params[i] = p - bufs[i]
        out.append(list(params[0]) + list(params[1]))
    return out


def run_lamb(beta1=0.9, beta2=0.999, eps=1e-6, wd=0.01):
    params = [np.array(W0), np.array(B0)]
    decays = [True, False]
    m = [np.zeros(3), np.zeros(2)]
    v = [np.zeros(3), np.zeros(2)]
    out = []
    for t, (g, lr) in enumerate(zip(GRADS, LRS), start=1):
        grads = [np.array(g[:3]), np.array(g[3:])]
        for i in range(2):
            p, gr = params[i], grads[i]
            m[i] = beta1 * m[i] + (1 - beta1) * gr
            v[i] = beta2 * v[i] + (1 - beta2) * gr * gr
            mhat = m[i] / (1 - beta1 ** t)
            vhat = v[i] / (1 - beta2 ** t)
            u = mhat / (np.sqrt(vhat) + eps) + (wd * p if decays[i] else 0.0)
            pn, un = np.linalg.norm(p), np.linalg.norm(u)
            rho = pn / un if decays[i] and pn > 0 and un > 0 else 1.0
            params[i] = p - lr * rho * u
        out.append(list(params[0]) + list(params[1]))
    return out


O = torch.optim

# Goyal et al.'s momentum correction turns the velocity form into torch's convention.
for torch_values, velocity_values in [
    (run_torch(lambda g: O.SGD(g, lr=0.1, momentum=0.9), wd=0.1), run_velocity(wd=0.1, correction=True)),
    (run_torch(lambda g: O.SGD(g, lr=0.1, momentum=0.9, nesterov=True)), run_velocity(nesterov=True, correction=True)),
    (run_torch(lambda g: O.SGD(g, lr=0.1, momentum=0.9, dampening=0.3)),
     run_velocity(dampening=0.3, correction=True)),
]:
    assert np.allclose(torch_values, velocity_values, rtol=1e-12, atol=1e-14), (torch_values, velocity_values)

CASES = [
    # name, values, source
    ("sgdPlain", run_torch(lambda g: O.SGD(g, lr=0.1)), "torch SGD()"),
    ("sgdMomentum", run_torch(lambda g: O.SGD(g, lr=0.1, momentum=0.9)), "torch SGD(momentum=0.9)"),
    ("sgdDampening", run_torch(lambda g: O.SGD(g, lr=0.1, momentum=0.9, dampening=0.3)),
     "torch SGD(momentum=0.9, dampening=0.3)"),
    ("sgdNesterov", run_torch(lambda g: O.SGD(g, lr=0.1, momentum=0.9, nesterov=True)),
     "torch SGD(momentum=0.9, nesterov=True)"),
    ("sgdWeightDecay", run_torch(lambda g: O.SGD(g, lr=0.1, momentum=0.9), wd=0.1),
     "torch SGD(momentum=0.9), w group weight_decay=0.1"),
    ("sgdL1", run_torch(lambda g: O.SGD(g, lr=0.1, momentum=0.9), l1=0.05),
     "torch SGD(momentum=0.9), grad_w += 0.05*sign(w)"),
    ("sgdDecoupled", run_torch(lambda g: O.SGD(g, lr=0.1, momentum=0.9), decoupled_sgd_wd=0.2),
     "torch SGD(momentum=0.9), w *= 1 - lr*0.2 before each step"),
    ("sgdUncorrected", run_velocity(wd=0.1),
     "numpy velocity form v = 0.9v + lr*g', w -= v (no momentum correction), w weight_decay=0.1"),
    ("sgdNesterovUncorrected", run_velocity(nesterov=True),
     "numpy velocity form, nesterov: w -= lr*g' + 0.9v (no momentum correction)"),
    ("sgdDampeningUncorrected", run_velocity(dampening=0.3),
     "numpy velocity form v = 0.9v + 0.7*lr*g' (no momentum correction)"),
    ("adagradPlain", run_torch(lambda g: O.Adagrad(g, lr=0.1)), "torch Adagrad()"),
    ("adagradFull", run_torch(lambda g: O.Adagrad(g, lr=0.1, lr_decay=0.5,
                                                  initial_accumulator_value=0.1, eps=1e-6), wd=0.1),
     "torch Adagrad(lr_decay=0.5, initial_accumulator_value=0.1, eps=1e-6), w weight_decay=0.1"),
    ("adagradL1", run_torch(lambda g: O.Adagrad(g, lr=0.1), l1=0.05), "torch Adagrad(), grad_w += 0.05*sign(w)"),
    ("rmspropPlain", run_torch(lambda g: O.RMSprop(g, lr=0.1)), "torch RMSprop()"),
    ("rmspropWeightDecay", run_torch(lambda g: O.RMSprop(g, lr=0.1, alpha=0.9), wd=0.1),
     "torch RMSprop(alpha=0.9), w weight_decay=0.1"),
    ("rmspropCentered", run_torch(lambda g: O.RMSprop(g, lr=0.1, alpha=0.9, centered=True)),
     "torch RMSprop(alpha=0.9, centered=True)"),
    ("rmspropMomentum", run_torch(lambda g: O.RMSprop(g, lr=0.1, alpha=0.9, momentum=0.8)),
     "torch RMSprop(alpha=0.9, momentum=0.8)"),
    ("rmspropCenteredMomentumDecay",
     run_torch(lambda g: O.RMSprop(g, lr=0.1, alpha=0.9, momentum=0.8, centered=True, eps=1e-4), wd=0.1),
     "torch RMSprop(alpha=0.9, momentum=0.8, centered=True, eps=1e-4), w weight_decay=0.1"),
    ("rmspropL1", run_torch(lambda g: O.RMSprop(g, lr=0.1, alpha=0.9), l1=0.05),
     "torch RMSprop(alpha=0.9), grad_w += 0.05*sign(w)"),
    ("adamPlain", run_torch(lambda g: O.Adam(g, lr=0.1)), "torch Adam()"),
    ("adamWeightDecay", run_torch(lambda g: O.Adam(g, lr=0.1), wd=0.1), "torch Adam(), w weight_decay=0.1"),
    ("adamAmsgrad", run_torch(lambda g: O.Adam(g, lr=0.1, betas=(0.8, 0.9), amsgrad=True)),
     "torch Adam(betas=(0.8, 0.9), amsgrad=True)"),
    ("adamAmsgradWeightDecay",
     run_torch(lambda g: O.Adam(g, lr=0.1, betas=(0.8, 0.9), eps=1e-3, amsgrad=True), wd=0.1),
     "torch Adam(betas=(0.8, 0.9), eps=1e-3, amsgrad=True), w weight_decay=0.1"),
    ("adamL1", run_torch(lambda g: O.Adam(g, lr=0.1), l1=0.05), "torch Adam(), grad_w += 0.05*sign(w)"),
    ("adamwDefault", run_torch(lambda g: O.AdamW(g, lr=0.1), wd=0.01), "torch AdamW() (weight_decay=1e-2 on w)"),
    ("adamwDecay", run_torch(lambda g: O.AdamW(g, lr=0.1), wd=0.5), "torch AdamW(), w weight_decay=0.5"),
    ("adamwAmsgrad", run_torch(lambda g: O.AdamW(g, lr=0.1, betas=(0.8, 0.9), amsgrad=True), wd=0.5),
     "torch AdamW(betas=(0.8, 0.9), amsgrad=True), w weight_decay=0.5"),
    ("adamwL1", run_torch(lambda g: O.AdamW(g, lr=0.1), wd=0.5, l1=0.05),
     "torch AdamW(), w weight_decay=0.5, grad_w += 0.05*sign(w)"),
    ("larsDefault", run_lars(), "numpy LARS(trust=0.001, momentum=0.9, wd=0)"),
    ("larsDecay", run_lars(trust=0.02, momentum=0.9, wd=0.1, eps=1e-3),
     "numpy LARS(trust=0.02, momentum=0.9, wd=0.1, eps=1e-3)"),
    ("larsUncorrected", run_lars(trust=0.02, momentum=0.9, wd=0.1, eps=1e-3, correction=False),
     "numpy LARS(trust=0.02, momentum=0.9, wd=0.1, eps=1e-3), the paper's velocity v = 0.9v + lr*rho*d, w -= v"),
    ("lambDefault", run_lamb(), "numpy LAMB(betas=(0.9, 0.999), eps=1e-6, wd=0.01)"),
    ("lambNoDecay", run_lamb(beta1=0.8, beta2=0.9, eps=1e-3, wd=0.0),
     "numpy LAMB(betas=(0.8, 0.9), eps=1e-3, wd=0)"),
]

print("// GENERATED by Tests/Reference/optimizer_reference_values.py (torch %s, numpy %s)."
      % (torch.__version__, np.__version__))
print("// Do not edit: rerun the script. Each table holds [w0, w1, w2, b0, b1] after steps 1, 2, 3.")
print()
print("enum OptimizerReferenceValues {")
for name, values, source in CASES:
    print("    /// %s" % source)
    print("    static let %s: [[Double]] = [" % name)
    for row in values:
        print("        [" + ", ".join("%.12g" % x for x in row) + "],")
    print("    ]")
print("}")
