"""One saetm training step (C, via tests/sae/helper_sae_step) against the PyTorch reference
(bench/sae_ref.py): same initial parameters, same batch, TopK and BatchTopK, with and without dead
features (auxiliary loss). Gradients, loss and the parameters after the step must agree to 1e-4
relative (max abs difference / max abs value of the tensor)."""
import os
import subprocess
import sys
import tempfile

ROOT = os.environ.get('ROOT', os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'bench'))

try:
    import torch
except ImportError as e:  # CI installs python3-torch; this is for machines without it
    print(f'SKIP: PyTorch cannot be imported ({e}); install python3-torch')
    print('0 passed, 0 failed')
    sys.exit(0)
import numpy as np

import sae_ref

HELPER = os.path.join(ROOT, 'build', 'test', 'tests', 'sae', 'helper_sae_step')
TMP = os.environ.get('TEST_TMPDIR') or tempfile.mkdtemp()
torch.set_num_threads(1)

passed = failed = 0


def rel(a, b):
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    scale = max(np.abs(b).max(), 1e-12)
    return float(np.abs(a - b).max() / scale)


def check(name, ok, detail=''):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f'FAIL: {name} {detail}', file=sys.stderr)


def case(arch, d, F, k, B, n_dead, seed):
    out = os.path.join(TMP, f'{arch}_{n_dead}_{seed}')
    os.makedirs(out, exist_ok=True)
    r = subprocess.run([HELPER, arch, str(d), str(F), str(k), str(B), str(n_dead), str(seed), out],
                       capture_output=True, text=True)
    if r.returncode != 0:
        check(f'{arch} helper ran', False, r.stderr[-2000:])
        return
    ld = lambda n: np.load(os.path.join(out, n + '.npy'))
    sq = lambda a: a.reshape(-1) if a.shape[-1] == 1 else a
    sae = sae_ref.SAE(torch.from_numpy(ld('W_enc')), torch.from_numpy(sq(ld('b_enc'))),
                      torch.from_numpy(ld('W_dec')), torch.from_numpy(sq(ld('b_dec'))))
    x = torch.from_numpy(ld('x'))
    dead = torch.from_numpy(sq(ld('dead')))
    opt = sae_ref.make_optimizer(sae, 1e-3)
    opt.zero_grad(set_to_none=False)
    loss, recon, aux, thr = sae_ref.loss_fn(sae, x, arch, k, dead, d // 2, 1.0 / 32)
    loss.backward()
    tag = f'{arch} d={d} F={F} k={k} B={B} dead={n_dead}'
    sc = sq(ld('scalars'))
    check(f'{tag}: loss', rel(sc[0], float(loss)) < 1e-4, f'{sc[0]} vs {float(loss)}')
    check(f'{tag}: aux loss', abs(sc[2] - float(aux)) <= 1e-4 * max(abs(float(aux)), 1e-3), f'{sc[2]} vs {float(aux)}')
    if n_dead:
        check(f'{tag}: aux loss is active', float(aux) > 0, f'aux {float(aux)}')
    if arch == 'batchtopk':
        check(f'{tag}: batch threshold', abs(sc[3] - thr) <= 1e-4 * max(abs(thr), 1e-6), f'{sc[3]} vs {thr}')
    for n in ('W_enc', 'b_enc', 'W_dec', 'b_dec'):
        g = getattr(sae, n).grad.numpy()
        e = rel(sq(ld('g_' + n)), g)
        check(f'{tag}: gradient {n}', e < 1e-4, f'relative error {e:.3g}')
    sae_ref.project_decoder_grad(sae)
    norm = torch.nn.utils.clip_grad_norm_([sae.W_enc, sae.b_enc, sae.W_dec, sae.b_dec], 1.0)
    check(f'{tag}: gradient norm', rel(sc[4], float(norm)) < 1e-4, f'{sc[4]} vs {float(norm)}')
    opt.step()
    sae_ref.renormalise(sae)
    for n in ('W_enc', 'b_enc', 'W_dec', 'b_dec'):
        p = getattr(sae, n).detach().numpy()
        e = rel(sq(ld('new_' + n)), p)
        check(f'{tag}: parameters {n} after the step', e < 1e-4, f'relative error {e:.3g}')


for arch in ('topk', 'batchtopk'):
    case(arch, 32, 256, 8, 64, 0, 1)
    case(arch, 32, 256, 8, 64, 200, 2)   # most features dead: the auxiliary loss is exercised
    case(arch, 48, 384, 4, 33, 0, 3)     # odd sizes
print(f'{passed} passed, {failed} failed')
sys.exit(1 if failed else 0)
