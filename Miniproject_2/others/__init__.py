"""A small deep-learning framework with hand-written backward passes (no autograd).

Only `torch.empty`, `torch.cat`, `torch.arange`, `torch.nn.functional.fold/unfold` and tensor
methods are used; every module mirrors the name, signature and defaults of its `torch.nn` peer.
"""
