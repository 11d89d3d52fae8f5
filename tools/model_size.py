"""Parameters and multiply-adds of the networks, counted from the code (the reports' architecture tables).

Multiply-adds are those of one forward pass on one `size` x `size` image, counted from each
convolution's output: output pixels x output channels x input channels x kernel taps (a
framework `Upsampling` as the convolution of the upsampled image it defines; its phase-decomposed
form does fewer, see Miniproject_2/others/polyphase_upsampling.py). Pooling, activations and
additions are left out: they are a small fraction.
"""
import torch


def torch_size(net, size=32):
    """`{"parameters", "multiply_adds", "parts"}` of a `torch.nn.Module` on one `(1, 3, size, size)`
    image; `parts` has the same two counts for each direct child that holds convolutions."""
    counts = {}

    def count(conv, inputs, output):
        counts[conv] = output.numel() * conv.in_channels * conv.kernel_size[0] * conv.kernel_size[1]

    hooks = [m.register_forward_hook(count) for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    try:
        with torch.no_grad():
            net(torch.zeros(1, 3, size, size))
    finally:
        for hook in hooks:
            hook.remove()
    parts = {name: {"parameters": sum(p.numel() for p in child.parameters()),
                    "multiply_adds": sum(counts.get(m, 0) for m in child.modules())}
             for name, child in net.named_children() if any(m in counts for m in child.modules())}
    return {"parameters": sum(p.numel() for p in net.parameters()), "multiply_adds": sum(counts.values()),
            "parts": parts}


def framework_size(net, size=32):
    """`{"parameters", "multiply_adds", "layers"}` of a Miniproject_2 network on one `(1, 3, size, size)`
    image; `layers` has the multiply-adds of each convolution in the order the forward pass meets them."""
    counts = []
    convolutions = []

    def walk(module):
        # by what it has, not by class: a test may have re-imported the framework's modules
        if hasattr(module, "in_channels") and hasattr(module, "kernel_size"):
            convolutions.append(module)
        for child in module.children():
            walk(child)

    walk(net)
    for conv in convolutions:  # an instance attribute shadows the method for this one pass
        def counted(x, conv=conv, forward=conv.forward):
            out = forward(x)
            counts.append(out.numel() * conv.in_channels * conv.kernel_size[0] * conv.kernel_size[1])
            return out
        conv.forward = counted
    try:
        net.forward(torch.zeros(1, 3, size, size))
    finally:
        for conv in convolutions:
            del conv.forward
    return {"parameters": sum(p.numel() for p, _ in net.param()), "multiply_adds": sum(counts), "layers": counts}
