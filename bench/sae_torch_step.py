"""PyTorch peer of bench_sae: median seconds per BatchTopK training step (bench/sae_ref.py, dense
autograd) and peak resident memory.  Usage: sae_torch_step.py F D K B STEPS THREADS"""
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sae_ref  # noqa: E402


def main():
    F, d, k, B, steps, threads = (int(a) for a in sys.argv[1:7])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    sae = sae_ref.SAE.random(d, F, seed=0)
    opt = sae_ref.make_optimizer(sae, 1e-3)
    x = torch.rand(B * (steps + 1), d) - 0.5 + 0.1 * (torch.arange(d) % 7).float()
    times = []
    for s in range(steps + 1):
        t0 = time.perf_counter()
        sae_ref.train_step(sae, opt, x[s * B:(s + 1) * B], 'batchtopk', k)
        if s > 0:  # the first step warms up allocations
            times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f'torch_step={statistics.median(times):.6f} peak_mib={peak:.1f}')


if __name__ == '__main__':
    main()
