"""Mutation testing of core/: mutmut on one module at a time, against that module's own tests only.

    python mutation/run.py [module ...] [--workers N]      (make mutation; MUTATION_MODULES / MUTATION_WORKERS)

For each module ``core/<m>.py`` the tests are ``tests/core/test_<m>*.py`` (so tracing also runs
test_tracing_arrays.py). Each module runs in its own scratch directory ``.mutation/<m>/`` holding a copy of
core/, tests/core/, tests/oracles/ and a pyproject.toml made from this repository's ``[tool.mutmut]`` plus
the module's selection, so runs never mix and the working tree is untouched. Core tests are pure Python:
they run without Django and without tests/conftest.py (``-p no:django --noconftest``).

The score printed per module is ``killed / (mutants - message-only)``, where killed includes timeouts
and mutants caught by the type checker. A mutant is *message-only* when the only difference between its
function and the original is in string literals inside a ``raise`` statement (the text of an exception,
e.g. ``raise ValueError("need 1 <= min_days")`` → ``"XXneed 1 <= min_daysXX"``): that text is for a person,
and its exact wording is not behaviour the module's tests are meant to pin. Compared on the AST: every
string constant under a Raise node is blanked in both versions, then the two dumps must be equal.
Surviving mutants that are equivalent (no test can tell them apart) are explained in
mutation/equivalent.md, listed by name; they are shown as such and kept in the score's denominator
(the score is what the tests kill, the list says why the rest is fine).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / ".mutation"
KILLED = {1, 3, 36, 24, -24, 152, 255, 37}  # killed, pytest internal error, timeouts, type checker
SURVIVED = {0}


def modules_with_tests() -> list[str]:
    return sorted(p.stem for p in (ROOT / "core").glob("*.py") if p.stem != "__init__" and tests_of(p.stem))


def tests_of(module: str) -> list[str]:
    found = sorted((ROOT / "tests" / "core").glob(f"test_{module}.py"))
    found += sorted((ROOT / "tests" / "core").glob(f"test_{module}_*.py"))
    return [str(p.relative_to(ROOT)) for p in found]


def prepare(module: str) -> Path:
    work = SCRATCH / module
    if work.exists():
        shutil.rmtree(work)
    (work / "tests").mkdir(parents=True)
    shutil.copytree(ROOT / "core", work / "core", ignore=shutil.ignore_patterns("__pycache__"))
    for sub in ("core", "oracles"):
        shutil.copytree(
            ROOT / "tests" / sub, work / "tests" / sub, ignore=shutil.ignore_patterns("__pycache__")
        )
    (work / "tests" / "__init__.py").write_text("")
    base = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    conf = dict(base)
    conf["only_mutate"] = [f"core/{module}.py"]
    conf["pytest_add_cli_args_test_selection"] = tests_of(module)
    lines = ["[tool.mutmut]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in conf.items()]
    lines += [
        "",
        "[tool.pytest.ini_options]",
        'python_files = ["test_*.py"]',
        'addopts = "-p no:cacheprovider"',
        'filterwarnings = ["ignore::DeprecationWarning"]',
    ]
    (work / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return work


def _functions(path: Path) -> dict[str, ast.AST]:
    tree = ast.parse(path.read_text())
    out: dict[str, ast.AST] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            out[node.name] = node
    return out


class _BlankRaisedText(ast.NodeTransformer):
    def __init__(self) -> None:
        self.depth = 0

    def visit_Raise(self, node: ast.Raise) -> ast.AST:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if self.depth and isinstance(node.value, str):
            return ast.Constant(value="")
        return node


def _shape(node: ast.AST) -> str:
    copy = ast.parse(ast.unparse(node))
    body = copy.body[0]
    assert isinstance(body, ast.FunctionDef | ast.AsyncFunctionDef)
    body.name = "f"
    return ast.dump(_BlankRaisedText().visit(copy))


def message_only(functions: dict[str, ast.AST], mutant: str) -> bool:
    """``mutant`` is e.g. ``core.idnum.x_validate__mutmut_3``: compare its function with ``…__mutmut_orig``."""
    name = mutant.rsplit(".", 1)[-1]
    orig = re.sub(r"__mutmut_\d+$", "__mutmut_orig", name)
    if name not in functions or orig not in functions:
        return False
    return _shape(functions[name]) == _shape(functions[orig])


def equivalents() -> set[str]:
    listed = ROOT / "mutation" / "equivalent.md"
    if not listed.exists():
        return set()
    return set(re.findall(r"`(core\.[\w.ǁ]+__mutmut_\d+)`", listed.read_text()))


def score(module: str, work: Path) -> dict[str, object]:
    meta = json.loads((work / "mutants" / "core" / f"{module}.py.meta").read_text())
    codes: dict[str, int | None] = meta["exit_code_by_key"]
    functions = _functions(work / "mutants" / "core" / f"{module}.py")
    messages = {m for m in codes if message_only(functions, m)}
    counted = {m: c for m, c in codes.items() if m not in messages}
    killed = [m for m, c in counted.items() if c in KILLED]
    survived = sorted(m for m, c in counted.items() if c in SURVIVED)
    other = sorted(m for m, c in counted.items() if c not in KILLED and c not in SURVIVED)
    known = equivalents()
    total = len(counted)
    return {
        "module": module,
        "mutants": len(codes),
        "message_only": len(messages),
        "killed": len(killed),
        "survived": survived,
        "other": {m: counted[m] for m in other},
        "score": (len(killed) / total) if total else 1.0,
        "equivalent": sorted(m for m in survived if m in known),
        "unexplained": sorted(m for m in survived if m not in known),
    }


def run(module: str, workers: int) -> dict[str, object]:
    work = prepare(module)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    subprocess.run(
        [mutmut, "run", "--max-children", str(workers)],
        cwd=work,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    result = score(module, work)
    (work / "score.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return result


def rerun_survivors(module: str, workers: int) -> dict[str, object]:
    """After adding tests: refresh the scratch copy's tests and re-check only the last run's survivors."""
    work = SCRATCH / module
    last = json.loads((work / "score.json").read_text())
    for sub in ("core", "oracles"):
        shutil.copytree(
            ROOT / "tests" / sub,
            work / "tests" / sub,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    names = [*last["survived"], *last["other"]]
    if names:
        mutmut = str(Path(sys.executable).with_name("mutmut"))
        subprocess.run(
            [mutmut, "run", "--max-children", str(workers), *names],
            cwd=work,
            check=False,
            env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
            stdout=subprocess.DEVNULL,
        )
    result = score(module, work)
    (work / "score.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("modules", nargs="*", help="core modules (default: every one with tests)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--score-only", action="store_true", help="re-read the last run's results")
    parser.add_argument(
        "--survivors",
        action="store_true",
        help="re-check only the last run's survivors against the current tests",
    )
    args = parser.parse_args()
    modules = args.modules or modules_with_tests()
    print(
        f"{'module':<12} {'mutants':>7} {'message':>7} {'killed':>6} {'survived':>8} {'other':>5} {'score':>6}"
    )
    for module in modules:
        if not tests_of(module):
            print(f"{module:<12} no tests/core/test_{module}.py")
            continue
        if args.score_only:
            result = score(module, SCRATCH / module)
        elif args.survivors:
            result = rerun_survivors(module, args.workers)
        else:
            result = run(module, args.workers)
        print(
            f"{module:<12} {result['mutants']:>7} {result['message_only']:>7} {result['killed']:>6} "
            f"{len(result['survived']):>8} {len(result['other']):>5} {result['score']:>6.1%}",
            flush=True,
        )
        for name in result["unexplained"]:
            print(f"    survived: {name}")
        for name in result["equivalent"]:
            print(f"    equivalent (mutation/equivalent.md): {name}")
        for name, code in result["other"].items():
            print(f"    {name}: exit code {code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
