"""Measuring training progress without clean images, so that `train()` never ends worse than it started.

`train()` keeps back the last pairs (1 in HELD_OUT_EVERY, at most MAX_HELD_OUT). On pairs
(a, b) = (x + n_a, x + n_b) with independent zero-mean noises, E|f(a) - b|^2 = E|f(a) - x|^2 +
var(n_b): the Noise2Noise loss there ranks models as their error on the clean images x does.
`train_keeping_best`, the loop of both projects' `train()`, ends with the weights that scored
best there, the starting ones included. Below MIN_HELD_OUT pairs the measure is too noisy to
choose with: every pair trains and the last weights are kept.

Miniproject_1 and Miniproject_2 carry this same file (tensor methods only), because each project
must stand alone; tests/test_both_models.py keeps the two identical.
"""
import math

HELD_OUT_EVERY, MAX_HELD_OUT, MIN_HELD_OUT = 50, 1000, 20


def split_held_out(inputs, targets):
    """`(train_inputs, train_targets, held_inputs, held_targets)`; the held-out ones may be empty."""
    count = min(MAX_HELD_OUT, inputs.shape[0] // HELD_OUT_EVERY)
    if count < MIN_HELD_OUT:
        return inputs, targets, inputs[:0], targets[:0]
    return inputs[:-count], targets[:-count], inputs[-count:], targets[-count:]


class BestWeights:
    """The weights of `net` that scored the lowest held-out loss so far, kept as a copy."""

    def __init__(self, net):
        self.net, self.loss, self.weights = net, math.inf, None

    def offer(self, loss):
        """Remember the network's current weights if `loss` beats the best so far."""
        if loss < self.loss:
            self.loss = loss
            self.weights = {name: tensor.clone() for name, tensor in self.net.state_dict().items()}

    def restore(self):
        """Put the best weights back into the network (nothing to do when none was offered)."""
        if self.weights is not None:
            self.net.load_state_dict(self.weights)

    def state_dict(self):
        return {"loss": self.loss, "weights": self.weights}

    def load_state_dict(self, state):
        self.loss, self.weights = state["loss"], state["weights"]


def train_keeping_best(net, optimizer, num_epochs, train_epoch, held_out_loss, learning_rate,
                       on_epoch=None, resume=None):
    """Run `train_epoch(epoch)` (0-based, returns the training loss) for each epoch up to
    `num_epochs` and leave `net` with the weights that scored the lowest `held_out_loss()`,
    the starting ones included. If anything fails, `net` is put back as it was.

    `optimizer` is what carries the training state besides the weights (`state_dict` and
    `load_state_dict`); `learning_rate()` is the rate of the next step. `on_epoch(epoch,
    train_loss, state)` is called after each epoch (1-based) with a checkpoint: `resume=state`
    continues after that epoch.
    """
    best, first_epoch = BestWeights(net), 0
    before = {name: tensor.clone() for name, tensor in net.state_dict().items()}
    try:
        if resume is None:
            best.offer(held_out_loss())
        else:
            net.load_state_dict(resume["net"])
            optimizer.load_state_dict(resume["optimizer"])
            best.load_state_dict(resume["best"])
            first_epoch = resume["epoch"]
        for epoch in range(first_epoch, num_epochs):
            loss = train_epoch(epoch)
            best.offer(held_out_loss())
            if on_epoch is not None:
                on_epoch(epoch + 1, loss, {"net": net.state_dict(), "optimizer": optimizer.state_dict(),
                                           "best": best.state_dict(), "epoch": epoch + 1,
                                           "learning_rate": learning_rate()})
    except BaseException:
        net.load_state_dict(before)
        raise
    best.restore()
