"""Import audit of a mini-project folder: which imports break the course's rules.

The audit reads the source (Python's `ast`); nothing is imported or run, so a broken or
hostile submission is audited as safely as a good one. The grader (`test.py`) and the
bundler share it. Command line: `python -m tools.audit Miniproject_2 [--number 2]`.

Rules (from the course's instructions):
- Miniproject_1: `torch` and the standard library; `tqdm` only inside `try: ... except ImportError`,
  because the graders' machine may not have it.
- Miniproject_2: the standard library, and from torch only the names in `MP2_TORCH_NAMES`,
  however they are imported (`from torch import empty`, `import torch` then `torch.empty`, ...).
  Tensor methods are not imports and are not audited.
Relative imports (`from .others.nn import Conv2d`) and imports of the project's own package
(`Miniproject_2.others...`) are always allowed.
"""
import argparse
import ast
import sys
from collections import namedtuple
from pathlib import Path

Violation = namedtuple("Violation", "file line name")
Violation.__doc__ = "One forbidden import: `file` (relative to the folder's parent), `line`, `name` (what was imported, and why it is wrong)."

STDLIB = frozenset(sys.stdlib_module_names)
MP2_TORCH_NAMES = frozenset({
    "torch.empty", "torch.cat", "torch.arange", "torch.nn.functional.fold", "torch.nn.functional.unfold",
    "torch.set_grad_enabled", "torch.load", "torch.save",
})
# Keyword arguments of `audit_imports` for each mini-project.
MINIPROJECT_RULES = {
    1: {"optional_modules": ("tqdm",), "torch_names": None},
    2: {"optional_modules": (), "torch_names": MP2_TORCH_NAMES},
}
IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def audit_miniproject(folder, number=None):
    """Violations of the course's import rules in `Miniproject_<number>/` (number read from the folder name if omitted)."""
    folder = Path(folder)
    if number is None:
        number = int(folder.name.rsplit("_", 1)[-1])
    return audit_imports(folder, **MINIPROJECT_RULES[number])


def audit_imports(folder, optional_modules=(), torch_names=None):
    """List of `Violation`s in every `.py` file under `folder`, sorted by file and line.

    Allowed: the standard library, relative imports, the folder's own package, `optional_modules`
    inside `try/except ImportError`, and torch: all of it if `torch_names` is None, otherwise only
    the dotted names in `torch_names` (e.g. `"torch.empty"`).
    """
    folder = Path(folder)
    violations = []
    for path in sorted(folder.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        shown = path.relative_to(folder.parent).as_posix()
        rules = _FileAudit(shown, folder.name, set(optional_modules), torch_names)
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (SyntaxError, UnicodeDecodeError, ValueError) as error:
            violations.append(Violation(shown, getattr(error, "lineno", 0) or 0, f"(cannot parse: {error})"))
            continue
        violations.extend(rules.run(tree))
    return sorted(violations)


class _FileAudit:
    """The audit of one parsed file (see `audit_imports`)."""

    def __init__(self, file, package, optional_modules, torch_names):
        self.file, self.package = file, package
        self.optional_modules, self.torch_names = optional_modules, torch_names
        self.torch_bindings = {}  # local name -> the torch module it stands for ("torch", "torch.nn.functional")
        self.violations = []

    def run(self, tree):
        self.parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.check_import(node, alias)
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    self.check_from_import(node, alias)
            elif isinstance(node, ast.Call):
                self.check_dynamic_import(node)
        if self.torch_names is not None:
            for node in ast.walk(tree):
                if isinstance(node, ast.Name) and node.id in self.torch_bindings:
                    self.check_torch_use(node)
        return self.violations

    def flag(self, node, name):
        self.violations.append(Violation(self.file, node.lineno, name))

    def allowed_module(self, node, module):
        """True when `module` (dotted) may be imported at `node`; flags it otherwise. torch is handled by the caller."""
        top = module.split(".")[0]
        if top in STDLIB or top == self.package:
            return True
        if top in self.optional_modules:
            if self.inside_import_guard(node):
                return True
            self.flag(node, f"{module} (optional: import it inside try/except ImportError)")
            return False
        self.flag(node, module)
        return False

    def check_import(self, node, alias):
        top = alias.name.split(".")[0]
        if top != "torch":
            self.allowed_module(node, alias.name)
        elif self.torch_names is not None:
            # `import torch.nn.functional as F` binds F to that module; `import torch.nn` binds `torch`.
            if alias.asname:
                self.bind_torch(node, alias.asname, alias.name)
            else:
                self.torch_bindings["torch"] = "torch"

    def check_from_import(self, node, alias):
        if node.level > 0:
            return
        module = node.module or ""
        if module.split(".")[0] != "torch":
            self.allowed_module(node, module)
            return
        if self.torch_names is None:
            return
        if alias.name == "*":
            self.flag(node, f"from {module} import *")
            return
        dotted = f"{module}.{alias.name}"
        if dotted not in self.torch_names:
            self.bind_torch(node, alias.asname or alias.name, dotted)

    def bind_torch(self, node, local, dotted):
        """Let `local` stand for the torch module `dotted` if some allowed name lies inside it; flag it otherwise."""
        if any(name.startswith(dotted + ".") for name in self.torch_names):
            self.torch_bindings[local] = dotted
        else:
            self.flag(node, dotted)

    def check_torch_use(self, name_node):
        """Flag `torch.zeros`, `F.conv2d`, ...: attribute chains on a torch module that are not allowed names."""
        if not isinstance(name_node.ctx, ast.Load):
            return
        dotted, node = self.torch_bindings[name_node.id], name_node
        parent = self.parents.get(node)
        while isinstance(parent, ast.Attribute) and parent.value is node:
            dotted += "." + parent.attr
            if dotted in self.torch_names:
                return
            node, parent = parent, self.parents.get(parent)
        self.flag(name_node, dotted)

    def check_dynamic_import(self, call):
        """`__import__(...)` and `importlib.import_module(...)`: audited like an import when the name is a literal."""
        function = call.func
        name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", None)
        if name not in ("__import__", "import_module"):
            return
        argument = call.args[0] if call.args else None
        if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
            self.flag(call, f"{name}(...) (dynamic import of a computed name)")
        elif argument.value.startswith("."):
            return
        elif argument.value.split(".")[0] == "torch" and self.torch_names is not None:
            if argument.value not in self.torch_names:
                self.flag(call, argument.value)
        elif argument.value.split(".")[0] != "torch":
            self.allowed_module(call, argument.value)

    def inside_import_guard(self, node):
        """True when `node` sits in the body of a `try` that catches ImportError (or a broader exception)."""
        child, parent = node, self.parents.get(node)
        while parent is not None:
            if isinstance(parent, ast.Try) and child in parent.body:
                for handler in parent.handlers:
                    caught = handler.type
                    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
                    if caught is None or any(getattr(n, "id", getattr(n, "attr", None)) in IMPORT_ERRORS for n in names):
                        return True
            child, parent = parent, self.parents.get(parent)
        return False


def main(argv=None):
    parser = argparse.ArgumentParser(description="List the imports of a mini-project folder that break the course's rules.")
    parser.add_argument("folder", type=Path, help="Miniproject_1 or Miniproject_2 folder")
    parser.add_argument("--number", type=int, choices=(1, 2), help="which rules (default: from the folder name)")
    args = parser.parse_args(argv)
    violations = audit_miniproject(args.folder, args.number)
    for violation in violations:
        print(f"{violation.file}:{violation.line}: {violation.name}")
    print(f"{len(violations)} forbidden import(s) in {args.folder}")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
