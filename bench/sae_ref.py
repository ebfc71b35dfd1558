"""PyTorch reference of one saetm SAE training step (TopK / BatchTopK), plain dense autograd.

Used by bench/bench_sae.sh (speed peer) and tests/sae/test_sae_torch.py (exactness check).
It restates docs/sae.md's objective independently of the C code:

  pre   = (x - b_dec) W_enc^T + b_enc
  acts  = TopK: the k largest of each row, ReLU'd;  BatchTopK: the k*B largest of the batch, ReLU'd
  x_hat = acts W_dec + b_dec
  loss  = mean_b ||x_hat_b - x_b||^2 + aux
  aux   = alpha * mean_b ||e_b - aux_b W_dec||^2 / mean_b ||e_b - mean(e)||^2, e = (x - x_hat) detached,
          aux_b = the k_aux largest ReLU'd pre-activations of row b among dead features
then: decoder-gradient projection, global-norm clipping, Adam, decoder rows renormalised.
"""
import torch


class SAE(torch.nn.Module):
    def __init__(self, W_enc, b_enc, W_dec, b_dec):
        super().__init__()
        self.W_enc = torch.nn.Parameter(torch.as_tensor(W_enc).clone())
        self.b_enc = torch.nn.Parameter(torch.as_tensor(b_enc).clone())
        self.W_dec = torch.nn.Parameter(torch.as_tensor(W_dec).clone())
        self.b_dec = torch.nn.Parameter(torch.as_tensor(b_dec).clone())

    @staticmethod
    def random(d, F, seed=0):
        g = torch.Generator().manual_seed(seed)
        W = torch.randn(F, d, generator=g)
        W = W / W.norm(dim=1, keepdim=True)
        return SAE(W.clone(), torch.zeros(F), W, torch.zeros(d))


def loss_fn(sae, x, arch, k, dead=None, k_aux=None, alpha=1.0 / 32):
    B, F = x.shape[0], sae.W_enc.shape[0]
    pre = (x - sae.b_dec) @ sae.W_enc.T + sae.b_enc
    post = torch.relu(pre)
    if arch == 'topk':
        vals, idx = pre.topk(k, dim=1)
        acts = torch.zeros_like(pre).scatter(1, idx, torch.relu(vals))
        thr = None
    elif arch == 'batchtopk':
        flat = post.flatten()
        vals, idx = flat.topk(min(k * B, flat.numel()))
        acts = torch.zeros_like(flat).scatter(0, idx, vals).view(B, F)
        thr = float(vals[-1].clamp(min=0))
    else:
        raise ValueError(arch)
    x_hat = acts @ sae.W_dec + sae.b_dec
    recon = (x_hat - x).pow(2).sum(dim=1).mean()
    aux = torch.zeros(())
    if dead is not None and alpha > 0:
        fired = (acts > 0).any(dim=0)
        dmask = dead.bool() & ~fired
        n_dead = int(dmask.sum())
        if n_dead > 0:
            e = (x - x_hat).detach()
            denom = (e - e.mean(dim=0)).pow(2).sum(dim=1).mean()
            if float(denom) > 0:
                masked = torch.where(dmask[None, :], post, torch.full_like(post, -float('inf')))
                av, ai = masked.topk(min(k_aux, n_dead), dim=1)
                aux_acts = torch.zeros_like(pre).scatter(1, ai, av.clamp(min=0))
                aux_hat = aux_acts @ sae.W_dec
                aux = alpha * (e - aux_hat).pow(2).sum(dim=1).mean() / denom
    return recon + aux, recon, aux, thr


def project_decoder_grad(sae):
    with torch.no_grad():
        g = sae.W_dec.grad
        g -= (g * sae.W_dec).sum(dim=1, keepdim=True) * sae.W_dec


def renormalise(sae):
    with torch.no_grad():
        sae.W_dec /= sae.W_dec.norm(dim=1, keepdim=True)


def train_step(sae, opt, x, arch, k, dead=None, k_aux=None, alpha=1.0 / 32, clip=1.0):
    """One full step; returns (loss, recon, aux, batch threshold, gradient norm before clipping)."""
    opt.zero_grad(set_to_none=False)
    loss, recon, aux, thr = loss_fn(sae, x, arch, k, dead, k_aux, alpha)
    loss.backward()
    project_decoder_grad(sae)
    norm = torch.nn.utils.clip_grad_norm_([sae.W_enc, sae.b_enc, sae.W_dec, sae.b_dec], clip)
    opt.step()
    renormalise(sae)
    return float(loss), float(recon), float(aux), thr, float(norm)


def make_optimizer(sae, lr=1e-3):
    return torch.optim.Adam([sae.W_enc, sae.b_enc, sae.W_dec, sae.b_dec], lr=lr, betas=(0.9, 0.999), eps=1e-8)
