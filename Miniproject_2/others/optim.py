"""Optimisers over `[(parameter, gradient), ...]` lists; updates are in place, like `torch.optim`."""


class Optimizer:
    def __init__(self, params, lr):
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        if lr <= 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        self.lr = lr

    def zero_grad(self):
        for _, grad in self.params:
            grad.zero_()

    def state_dict(self):
        return {}

    def load_state_dict(self, state):
        pass


class SGD(Optimizer):
    """`torch.optim.SGD` (dampening 0, no Nesterov): `v = momentum * v + g; p -= lr * v`."""

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum, self.weight_decay = momentum, weight_decay
        self.buffers = [None] * len(self.params)

    def step(self):
        for i, (p, g) in enumerate(self.params):
            if self.weight_decay:
                g = g + self.weight_decay * p
            if self.momentum:
                if self.buffers[i] is None:
                    self.buffers[i] = g.clone()
                else:
                    self.buffers[i].mul_(self.momentum).add_(g)
                g = self.buffers[i]
            p.add_(g, alpha=-self.lr)


class Adam(Optimizer):
    """`torch.optim.Adam` (no amsgrad), the same arithmetic in the same order."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.steps = 0
        self.m = [p.new_zeros(p.shape) for p, _ in self.params]
        self.v = [p.new_zeros(p.shape) for p, _ in self.params]

    def step(self):
        self.steps += 1
        beta1, beta2 = self.betas
        step_size = self.lr / (1 - beta1 ** self.steps)
        root_correction = (1 - beta2 ** self.steps) ** 0.5
        for (p, g), m, v in zip(self.params, self.m, self.v):
            if self.weight_decay:
                g = g + self.weight_decay * p
            m.lerp_(g, 1 - beta1)
            v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
            denom = (v.sqrt() / root_correction).add_(self.eps)
            p.addcdiv_(m, denom, value=-step_size)

    def state_dict(self):
        state = {"steps": self.steps}
        for i, (m, v) in enumerate(zip(self.m, self.v)):
            state[f"m.{i}"], state[f"v.{i}"] = m.clone(), v.clone()
        return state

    def load_state_dict(self, state):
        self.steps = int(state["steps"])
        for i, (m, v) in enumerate(zip(self.m, self.v)):
            m.copy_(state[f"m.{i}"])
            v.copy_(state[f"v.{i}"])
