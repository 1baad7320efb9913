"""A student's `optimize` (ps01, ps02): torch SGD on f(x) = x² with an optional lr scheduler,
written right or with the mistakes the checks name — one loop, the mistakes as switches."""

from __future__ import annotations

from collections.abc import Callable

import torch


def make_optimize(*, first: bool = False, lr_read_first: bool = False, twice: bool = False,
                  read_after: bool = False, never: bool = False, ignored: bool = False,
                  in_loop: bool = False, zero_grad: bool = True, nested_lrs: bool = False,
                  maximize: bool = False, half_gradient: bool = False, extra_step: bool = False,
                  missing_step: bool = False, record_before: bool = False,
                  integer: bool = False) -> Callable:
    """`optimize(initial_lr, num_iterations, x0, scheduler=None) -> (xs, lrs)`: each iteration
    zeroes the gradient, backpropagates x², records the lr, steps the optimizer, records x and
    steps the scheduler built by `scheduler(optimizer)` — or, with a switch on, one mistake:

    first: scheduler.step() before optimizer.step(), the lr read after it (with lr_read_first:
    the lr read before it); twice: scheduler.step() twice per iteration; read_after: the lr read
    after scheduler.step(); never: the scheduler built but never stepped; ignored: never built;
    in_loop: built anew in every iteration; zero_grad=False: gradients accumulate;
    nested_lrs: the lr recorded as get_last_lr()'s list; maximize: SGD climbs; half_gradient:
    x²/2 backpropagated; extra_step / missing_step: one iteration too many / too few;
    record_before: x recorded before the update; integer: x0 left an integer tensor."""

    def optimize(initial_lr, num_iterations, x0, scheduler=None):
        x = torch.tensor(x0 if integer else float(x0), requires_grad=True)
        opt = torch.optim.SGD([x], lr=initial_lr, maximize=maximize)
        built = scheduler(opt) if scheduler is not None and not (ignored or in_loop) else None
        xs, lrs = [], []
        for _ in range(num_iterations + extra_step - missing_step):
            if in_loop and scheduler is not None:
                built = scheduler(opt)
            if zero_grad:
                opt.zero_grad()
            (x**2 / 2 if half_gradient else x**2).backward()
            if lr_read_first:
                lrs.append(opt.param_groups[0]["lr"])
            if first and built:
                built.step()
            if not (read_after or lr_read_first):
                lrs.append(built.get_last_lr() if nested_lrs and built
                           else opt.param_groups[0]["lr"])
            if record_before:
                xs.append(x.item())
            opt.step()
            if not record_before:
                xs.append(x.item())
            if built and not (first or never):
                built.step()
                if twice:
                    built.step()
            if read_after:
                lrs.append(opt.param_groups[0]["lr"])
        return xs, lrs

    return optimize
