"""Miniproject_2's framework modules against torch autograd: the grader's `module <name>` checks.

The course asks for a framework with Conv2d, an upsampling module (NearestUpsampling,
Upsampling or TransposeConv2d), ReLU, Sigmoid, MSE, SGD and Sequential, each with a hand-written
`forward`, `backward` and `param()` (a list of `(value, gradient)` pairs). Each check builds the
submission's class with torch-like arguments (`Conv2d(3, 4, kernel_size=3, stride=1, padding=1)`),
runs forward and backward on seeded random inputs, and compares the output, the input's gradient
and every parameter's gradient with the same computation under torch autograd, the oracle. The
course leaves the upsampling module's arguments open, so several usual constructor calls are
tried, and its output is matched against nearest upsampling, transposed convolution, and nearest
upsampling followed by a convolution.

Every check returns its PASS message or raises `Fail` with what differs; the grader (`test.py`)
runs them in its child process, where a crash in the submission becomes a FAIL.
"""
import torch
import torch.nn.functional as F


class Fail(Exception):
    """A check's verdict: the submission is wrong, and the message says how."""


UPSAMPLING_NAMES = ("NearestUpsampling", "Upsampling", "TransposeConv2d")
# One check per name; "Upsampling" checks whichever of UPSAMPLING_NAMES the submission defines.
MODULE_NAMES = ("Conv2d", "Upsampling", "ReLU", "Sigmoid", "MSE", "SGD", "Sequential")
# Every class the checks use, in the order the grader looks them up.
CLASS_NAMES = MODULE_NAMES[:1] + UPSAMPLING_NAMES + MODULE_NAMES[2:]
# Forward and backward must match torch within this (float32 arithmetic in another order).
RTOL, ATOL = 1e-4, 1e-5


def check_module(name, classes, package):
    """Run the check `name` (of MODULE_NAMES) on the submission's `classes` (by name), found in `package`."""
    if name == "Upsampling":
        upsampling = [classes[n] for n in UPSAMPLING_NAMES if n in classes]
        if not upsampling:
            raise Fail(f"no upsampling module: define one of {', '.join(UPSAMPLING_NAMES)} in "
                       f"{package}/model.py or a module of {package}/others/")
        return check_upsampling(upsampling)
    # SGD and Sequential are checked on the submission's own Conv2d (and activations).
    needs = {"SGD": ("SGD", "Conv2d"), "Sequential": ("Sequential", "Conv2d", "ReLU", "Sigmoid")}.get(name, (name,))
    missing = [n for n in needs if n not in classes]
    if missing:
        raise Fail(f"{', '.join(missing)} not found: define {'it' if len(missing) == 1 else 'them'} in "
                   f"{package}/model.py or a module of {package}/others/ (the course imports "
                   f"them from {package}.model)")
    return MODULE_CHECKS[name](*(classes[n] for n in needs))


# ---------------------------------------------------------------------------------------------
# Comparing with torch.

def assert_close(label, got, expected):
    """Fail unless `got` is a tensor of `expected`'s shape, equal within ATOL + RTOL * its largest value."""
    if not isinstance(got, torch.Tensor):
        raise Fail(f"{label}: got {type(got).__name__}, expected a tensor")
    if tuple(got.shape) != tuple(expected.shape):
        raise Fail(f"{label}: shape {tuple(got.shape)}, torch gives {tuple(expected.shape)}")
    got, expected = got.detach().double(), expected.detach().double()
    error = (got - expected).abs().max().item() if got.numel() else 0.0
    scale = expected.abs().max().item() if expected.numel() else 0.0
    if not error <= ATOL + RTOL * scale:
        raise Fail(f"{label}: differs from torch by up to {error:.3g} (values up to {scale:.3g})")


def param_pairs(module, label):
    """`module.param()` checked to be a list of (value, gradient) tensor pairs of one shape."""
    pairs = module.param()
    if not isinstance(pairs, (list, tuple)):
        raise Fail(f"{label}.param() returned {type(pairs).__name__}, expected a list of (value, gradient) pairs")
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2
                and all(isinstance(t, torch.Tensor) for t in pair) and pair[0].shape == pair[1].shape):
            raise Fail(f"{label}.param()[{i}] is not a (value, gradient) pair of tensors of one shape")
    return list(pairs)


def compare_with_torch(label, module, x, reference, select=lambda pairs: pairs):
    """Forward and backward of `module` on `x` against `reference(x, *parameters)` under torch autograd.

    `select(pairs)` gives the module's (value, gradient) pairs in the order `reference` takes them;
    gradients are compared as the change backward makes, so accumulating and overwriting both pass.
    """
    before = select(param_pairs(module, label))
    grads_before = [grad.detach().clone() for _, grad in before]
    # enable_grad: a submission may switch autograd off on import, and torch is the oracle here.
    with torch.enable_grad():
        x_ref = x.clone().requires_grad_()
        params_ref = [value.detach().clone().requires_grad_() for value, _ in before]
        y_ref = reference(x_ref, *params_ref)
    assert_close(f"{label} forward", module.forward(x.clone()), y_ref)
    grad_output = torch.randn(y_ref.shape, generator=torch.Generator().manual_seed(1))
    with torch.enable_grad():
        y_ref.backward(grad_output)
    assert_close(f"{label} backward (gradient of the input)", module.backward(grad_output.clone()), x_ref.grad)
    after = select(param_pairs(module, label))
    for (value, grad), old, ref in zip(after, grads_before, params_ref):
        assert_close(f"{label} backward (gradient of the {tuple(value.shape)} parameter)", grad - old, ref.grad)


def random_input(*shape, seed=0):
    """Standard normal floats of `shape`, the same for a seed on every run."""
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def conv_selector(weight_shape, label):
    """`select` for a convolution: its weight pair (shape `weight_shape`) then bias pair, found by shape."""
    def select(pairs):
        weights = [p for p in pairs if tuple(p[0].shape) == weight_shape]
        biases = [p for p in pairs if tuple(p[0].shape) == (weight_shape[0],)]
        if len(weights) != 1 or len(biases) != 1 or len(pairs) != 2:
            raise Fail(f"{label}.param() must be [(weight {weight_shape}, grad), (bias ({weight_shape[0]},), grad)], "
                       f"got shapes {[tuple(p[0].shape) for p in pairs]}")
        return [weights[0], biases[0]]
    return select


def transposed_selector(weight_shape):
    """`select` for a transposed convolution, whose weight is `(in, out, kh, kw)` and bias `(out,)`."""
    def select(pairs):
        weight = [p for p in pairs if tuple(p[0].shape) == weight_shape]
        bias = [p for p in pairs if tuple(p[0].shape) == (weight_shape[1],)]
        if len(weight) != 1 or len(bias) != 1:
            raise Fail(f"TransposeConv2d.param() must be [(weight {weight_shape}, grad), (bias, grad)]")
        return [weight[0], bias[0]]
    return select


# ---------------------------------------------------------------------------------------------
# Conv2d.

# (in, out, kernel, stride, padding, input shape): odd sizes, so a stride that drops the last
# row or column is tested too.
CONV_CASES = ((3, 4, 3, 1, 1, (2, 3, 8, 9)), (3, 5, 2, 2, 0, (2, 3, 9, 10)), (2, 3, 3, 2, 1, (1, 2, 7, 6)))


def check_conv2d(Conv2d):
    for seed, (c_in, c_out, k, stride, padding, shape) in enumerate(CONV_CASES):
        label = f"Conv2d({c_in}, {c_out}, kernel_size={k}, stride={stride}, padding={padding})"
        conv = Conv2d(c_in, c_out, kernel_size=k, stride=stride, padding=padding)
        compare_with_torch(label, conv, random_input(*shape, seed=seed),
                           lambda x, w, b: F.conv2d(x, w, b, stride=stride, padding=padding),
                           conv_selector((c_out, c_in, k, k), label))
    return f"{len(CONV_CASES)} configurations: forward, input and parameter gradients match torch"


# ---------------------------------------------------------------------------------------------
# Upsampling.

# Constructor calls tried for an upsampling module, since the course leaves its arguments open:
# nearest upsampling alone, transposed convolution, or nearest upsampling followed by a convolution.
UPSAMPLING_CALLS = (((), {"scale_factor": 2}),
                    ((3, 5), {"kernel_size": 3, "stride": 2, "padding": 1}),
                    ((3, 5), {"kernel_size": 3, "padding": 1, "scale_factor": 2}),
                    ((), {"scale_factor": 2, "in_channels": 3, "out_channels": 5, "kernel_size": 3, "padding": 1}),
                    ((2,), {}))


def check_upsampling(classes):
    """Pass when each upsampling class present, built one of the usual ways, matches its torch equivalent."""
    return "; ".join(check_one_upsampling(cls) for cls in classes)


def check_one_upsampling(cls):
    """The first of UPSAMPLING_CALLS whose output some torch reference explains, checked in full on a fresh module."""
    x = random_input(2, 3, 5, 6, seed=3)
    tried = []
    for args, kwargs in UPSAMPLING_CALLS:
        label = f"{cls.__name__}{format_call(args, kwargs)}"
        try:
            module = cls(*args, **kwargs)
            y = module.forward(x.clone())
        except Exception as error:  # a call this class does not take: try the next one
            tried.append(f"{label}: {type(error).__name__}: {error}")
            continue
        for description, reference, select in upsampling_references(module, x, y):
            with torch.enable_grad():
                expected = reference(x, *[v for v, _ in select(param_pairs(module, cls.__name__))])
            if isinstance(y, torch.Tensor) and y.shape == expected.shape and torch.allclose(y, expected, RTOL, 1e-4):
                # a fresh module, so nothing the probe above left in it (a cached input) affects the check
                compare_with_torch(label, cls(*args, **kwargs), x, reference, select)
                return f"{label} as {description}: forward and backward match torch"
        shape = tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__
        tried.append(f"{label}: output {shape} matches none of nearest upsampling, transposed convolution, "
                     f"nearest + convolution")
    raise Fail(f"{cls.__name__} matched no torch upsampling:\n" + "\n".join(tried))


def format_call(args, kwargs):
    """`(3, 5, kernel_size=3)`: the arguments as Python would write the call."""
    return "(" + ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]) + ")"


def upsampling_references(module, x, y):
    """(description, reference, select) triples that could explain `module`'s output `y` for input `x`."""
    pairs = param_pairs(module, type(module).__name__)
    if not pairs:
        scale = y.shape[-1] // x.shape[-1] if isinstance(y, torch.Tensor) and y.dim() == 4 else 2
        return [(f"nearest x{scale}", lambda x, s=scale: F.interpolate(x, scale_factor=s, mode="nearest"),
                 lambda pairs: pairs)]
    weights = [p for p in pairs if p[0].dim() == 4]
    if len(weights) != 1:
        return []
    weight_shape = tuple(weights[0][0].shape)
    # A transposed convolution's weight is (in, out, kh, kw), a convolution's (out, in, kh, kw); stride
    # and padding do not show in the weights, so each plausible one is a candidate, and the caller
    # keeps the first that matches.
    found = []
    for padding in range(weight_shape[-1]):
        if weight_shape[:2] == (x.shape[1], y.shape[1]):
            found += [transposed_reference(weight_shape, stride, padding) for stride in (2, 1)]
        if weight_shape[:2] == (y.shape[1], x.shape[1]):
            found.append(nearest_conv_reference(weight_shape, padding, type(module).__name__))
    return found


def transposed_reference(weight_shape, stride, padding):
    """The (description, reference, select) triple of a transposed convolution with this stride and padding."""
    return (f"transposed convolution (stride {stride}, padding {padding})",
            lambda x, w, b: F.conv_transpose2d(x, w, b, stride=stride, padding=padding),
            transposed_selector(weight_shape))


def nearest_conv_reference(weight_shape, padding, label):
    """The (description, reference, select) triple of nearest x2 upsampling, then a convolution with this padding."""
    return (f"nearest x2 + convolution (padding {padding})",
            lambda x, w, b: F.conv2d(F.interpolate(x, scale_factor=2, mode="nearest"), w, b, padding=padding),
            conv_selector(weight_shape, label))


# ---------------------------------------------------------------------------------------------
# Activations, loss, optimizer and container.

def check_activation(cls, reference):
    module = cls()
    if param_pairs(module, cls.__name__):
        raise Fail(f"{cls.__name__}.param() must be an empty list: it has no parameters")
    compare_with_torch(f"{cls.__name__}()", module, random_input(2, 3, 4, 5, seed=4), reference)
    return "forward and backward match torch, param() is empty"


def check_relu(ReLU):
    return check_activation(ReLU, torch.relu)


def check_sigmoid(Sigmoid):
    return check_activation(Sigmoid, torch.sigmoid)


def check_mse(MSE):
    loss = MSE()
    prediction, target = random_input(2, 3, 4, 5, seed=5), random_input(2, 3, 4, 5, seed=6)
    with torch.enable_grad():
        prediction_ref = prediction.clone().requires_grad_()
        expected = F.mse_loss(prediction_ref, target)
        expected.backward()
    value = loss.forward(prediction.clone(), target.clone())
    value = value if isinstance(value, torch.Tensor) else torch.tensor(float(value))  # a Python float is fine too
    assert_close("MSE forward", value.reshape(()), expected)
    try:
        gradient = loss.backward()
    except TypeError:  # some frameworks pass the two tensors again
        gradient = loss.backward(prediction.clone(), target.clone())
    assert_close("MSE backward (gradient of the prediction)", gradient, prediction_ref.grad)
    return "mean squared error and its gradient match torch.nn.functional.mse_loss"


# Learning rate of the SGD check: large enough that a step visibly moves every parameter.
SGD_LR = 0.05


def check_sgd(SGD, Conv2d):
    conv = conv_with_gradients(Conv2d)
    values = [v.detach().clone() for v, _ in param_pairs(conv, "Conv2d")]
    grads = [g.detach().clone() for _, g in param_pairs(conv, "Conv2d")]
    if all((g == 0).all() for g in grads):
        raise Fail("Conv2d.backward left every gradient in param() at zero: SGD cannot be checked")
    optimizer = build_sgd(SGD, conv)
    optimizer.step()
    for (value, _), old, grad in zip(param_pairs(conv, "Conv2d"), values, grads):
        assert_close("SGD step (parameter - lr * gradient)", value, old - SGD_LR * grad)
    zero_grad = getattr(optimizer, "zero_grad", None)  # optional: the course does not require it
    if callable(zero_grad):
        zero_grad()
        if any((g != 0).any() for _, g in param_pairs(conv, "Conv2d")):
            raise Fail("SGD.zero_grad() left non-zero gradients in param()")
    return "step() moves every parameter by -lr * gradient" + (", zero_grad() clears them" if callable(zero_grad) else "")


def conv_with_gradients(Conv2d):
    """A Conv2d(3, 4, 3) after one forward and backward, so its param() holds gradients for SGD to apply."""
    conv = Conv2d(3, 4, kernel_size=3, stride=1, padding=1)
    conv.forward(random_input(2, 3, 6, 6, seed=7))
    conv.backward(random_input(2, 4, 6, 6, seed=8))
    return conv


def build_sgd(SGD, conv):
    """SGD over `conv`'s parameters, built the first way the class takes (the course leaves its arguments open)."""
    errors = []
    calls = (lambda: SGD(conv.param(), lr=SGD_LR), lambda: SGD(conv, lr=SGD_LR), lambda: SGD(conv.param(), SGD_LR))
    for make in calls:
        try:
            return make()
        except TypeError as error:
            errors.append(str(error))
    raise Fail(f"SGD could not be built as SGD(model.param(), lr=...) or SGD(model, lr=...): {'; '.join(errors)}")


def check_sequential(Sequential, Conv2d, ReLU, Sigmoid):
    model = Sequential(Conv2d(3, 4, kernel_size=3, padding=1), ReLU(), Conv2d(4, 3, kernel_size=3, stride=2, padding=1),
                       Sigmoid())
    pairs = param_pairs(model, "Sequential")
    shapes = [tuple(v.shape) for v, _ in pairs]
    expected = [(4, 3, 3, 3), (4,), (3, 4, 3, 3), (3,)]
    if shapes != expected:
        raise Fail(f"Sequential.param() must list its modules' pairs in order, shapes {expected}; got {shapes}")

    def reference(x, w1, b1, w2, b2):
        return torch.sigmoid(F.conv2d(torch.relu(F.conv2d(x, w1, b1, padding=1)), w2, b2, stride=2, padding=1))

    compare_with_torch("Sequential(Conv2d, ReLU, Conv2d, Sigmoid)", model, random_input(2, 3, 8, 7, seed=9), reference)
    return "Conv2d, ReLU, Conv2d, Sigmoid: forward, backward and param() match torch"


# The check of each Miniproject_2 module, by the name its line shows.
MODULE_CHECKS = {"Conv2d": check_conv2d, "Upsampling": check_upsampling, "ReLU": check_relu,
                 "Sigmoid": check_sigmoid, "MSE": check_mse, "SGD": check_sgd, "Sequential": check_sequential}
