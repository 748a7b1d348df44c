"""The operating-system side of the grading sandbox (anncourse.grading.isolation).

Each test starts real sandboxes (bubblewrap) and runs a probe inside, which
answers on descriptor 3 like the worker does.  They check what the worker
can import and see, that writing files cannot take the host's memory, that
descriptor 3 reaches the worker whatever the grading process holds, and the
same from other Python installation layouts (a venv with system site
packages, Debian's system Python).
"""
from __future__ import annotations

import inspect
import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import numpy as np
import pytest

from anncourse.grading import isolation
from anncourse.grading.isolation import (PACKAGES, SITE, TMP_BYTES, TORCH_MEMORY_MB, interpreter,
                                         isolation_available, private_site, spawn)

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not isolation_available(),
                                reason="bubblewrap cannot create a sandbox here")

FORBIDDEN = ["scipy", "IPython", "pytest", "pip", "setuptools", "sklearn", "torch", "anncourse",
             "nbgrader", "yaml", "matplotlib", "pandas"]
ENV = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1",
       "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run_probe(code, *, packages=(), isolated=True, memory_mb=1024, timeout=120, during=None):
    """Run ``code`` as the worker would run and return what it wrote on descriptor 3.

    ``during(proc)`` is called after the first answer line, while the probe
    waits for its stdin to close (so the test can look at the host then).
    """
    site_dir = SITE if isolated else str(private_site(packages))
    prelude = f"import sys; sys.path.insert(0, {site_dir!r})\n"
    read_fd, write_fd = os.pipe()
    try:
        proc = spawn([interpreter(), "-I", "-S", "-c", prelude + textwrap.dedent(code)],
                     answer_fd=write_fd, memory_mb=memory_mb, cpu_seconds=60, isolated=isolated,
                     packages=packages, stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV,
                     cwd="/tmp")
    finally:
        os.close(write_fd)
    with os.fdopen(read_fd, "rb") as answers:
        first = answers.readline()
        if during is not None and first:
            during(proc)
        proc.stdin.close()
        rest = answers.read()
        proc.wait(timeout=timeout)
    stderr = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    assert first, f"the probe wrote nothing (exit {proc.returncode}):\n{stderr[-3000:]}"
    return json.loads(first), rest


# The scripts that run under another interpreter or user (which may have no
# pytest) get this same runner as source: one implementation.
RUNNER = ("import json, os, subprocess, textwrap\n"
          "from anncourse.grading.isolation import SITE, interpreter, private_site, spawn\n"
          f"ENV = {ENV!r}\n\n" + inspect.getsource(run_probe))


# Every folder where the host keeps Python packages, as a learner would guess them.
def _host_package_dirs() -> list[str]:
    dirs = {str(Path(np.__file__).resolve().parent.parent), str(ROOT), str(ROOT.parent)}
    dirs.update(site.getsitepackages() + [site.getusersitepackages()])
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        for scheme_path in ("purelib", "platlib", "stdlib"):
            path = sysconfig.get_paths(vars={"base": prefix, "platbase": prefix})[scheme_path]
            dirs.update({path, str(Path(path) / "site-packages")})
    v = f"{sys.version_info.major}.{sys.version_info.minor}"
    dirs.update({"/usr/lib/python3/dist-packages", f"/usr/lib/python{v}/dist-packages",
                 f"/usr/lib/python{v}/site-packages", f"/usr/local/lib/python{v}/dist-packages",
                 f"/usr/local/lib/python{v}/site-packages", "/usr/share/pyshared"})
    std = sysconfig.get_paths(vars={"base": sys.base_prefix})["stdlib"]
    dirs.update(str(p) for p in Path(std).glob("ensurepip/_bundled/*.whl"))
    return sorted(dirs)


IMPORT_PROBE = """
import json, os
sys.path += {dirs!r}
result = {{}}
for name in {names!r}:
    try:
        __import__(name)
        result[name] = "imported from " + str(getattr(sys.modules[name], "__file__", "?"))
    except BaseException as exc:
        result[name] = type(exc).__name__
os.write(3, json.dumps(result).encode() + b"\\n")
"""


def _imported(result: dict) -> dict:
    return {k: v for k, v in result.items() if v.startswith("imported")}


# -- what the worker can import ------------------------------------------------

def test_other_packages_cannot_be_imported_even_from_host_paths():
    result, _ = run_probe(IMPORT_PROBE.format(dirs=_host_package_dirs(), names=FORBIDDEN))
    assert _imported(result) == {}


def test_the_course_s_standard_library_and_numpy_work():
    result, _ = run_probe("""
        import json, os, math, random, functools, itertools, collections, statistics
        import decimal, fractions, typing, dataclasses, re, time, locale
        import numpy as np, numpy.linalg, numpy.random, numpy.fft
        rng = np.random.default_rng(0)
        a = rng.normal(size=(4, 4)) + 4 * np.eye(4)
        print("a learner's print: \u03bc = 0.5")   # must not raise on non-ASCII text
        out = {
            "inv": float(np.abs(np.linalg.inv(a) @ a - np.eye(4)).max()),
            "fft": float(np.abs(np.fft.ifft(np.fft.fft(a[0])) - a[0]).max()),
            "svd": float(np.linalg.svd(a, compute_uv=False).min()),
            "decimal": str(decimal.Decimal(1) / decimal.Decimal(7)),
            "fraction": str(fractions.Fraction(3, 6)),
            "stats": statistics.mean([1, 2, 3]),
            "re": re.sub(r"\\d", "#", "a1b2"),
            "random": random.Random(1).random(),
            "time": time.perf_counter() > 0,
            "encodings": [sys.stdout.encoding, sys.getfilesystemencoding(),
                          locale.getpreferredencoding()],
            "numpy": np.__file__,
        }
        os.write(3, json.dumps(out).encode() + b"\\n")
    """)
    # Products of a well-conditioned 4 x 4 matrix and round trips: float64 rounding only.
    assert result["inv"] < 1e-12 and result["fft"] < 1e-12 and result["svd"] > 0
    assert result["decimal"].startswith("0.142857") and result["fraction"] == "1/2"
    assert result["stats"] == 2 and result["re"] == "a#b#" and result["time"]
    assert result["random"] == pytest.approx(__import__("random").Random(1).random(), abs=0)
    assert [e.lower().replace("-", "") for e in result["encodings"]] == ["utf8"] * 3
    assert result["numpy"] == f"{SITE}/numpy/__init__.py"


def test_a_learner_s_function_in_the_sandbox_cannot_reach_other_packages():
    """The same through the grader's own Sandbox, as a submission would try it."""
    from anncourse.grading.sandbox import Sandbox

    cells = [textwrap.dedent(f"""
        import sys

        def escape():
            sys.path.extend({_host_package_dirs()!r})
            found = []
            for name in {FORBIDDEN!r}:
                try:
                    __import__(name)
                    found.append(name)
                except BaseException:
                    pass
            return len(found)
    """)]
    with Sandbox(cells, "escape", isolation="require") as escape:
        assert escape() == 0


WALK_PROBE = """
import json, os
dirs, files = [], []
for top, subdirs, names in os.walk("/"):
    if top in ("/proc", "/dev") or top.startswith(("/proc/", "/dev/")):
        subdirs[:] = []
        continue
    dirs.append([top, len(subdirs) + len(names)])
    files += [os.path.join(top, n) for n in names]
os.write(3, json.dumps({"dirs": dirs, "files": files}).encode() + b"\\n")
"""


def _stdlib_trees() -> list[str]:
    out = subprocess.run([interpreter(), "-I", "-S", "-c", "import sys, json; print(json.dumps("
                          "[p for p in sys.path if p]))"], capture_output=True, text=True)
    return [os.path.realpath(p) for p in json.loads(out.stdout)]


def test_the_visible_file_system_is_the_standard_library_numpy_and_libraries():
    seen, _ = run_probe(WALK_PROBE)
    packages = [d for d, n in seen["dirs"]
                if os.path.basename(d) in ("site-packages", "dist-packages") and n]
    assert packages == []
    trees = _stdlib_trees()
    allowed = trees + [f"{SITE}/numpy", f"{SITE}/numpy.libs"]
    stray_py = [f for f in seen["files"] if f.endswith((".py", ".pyc", ".pth"))
                and not any(f.startswith(t + "/") for t in allowed)]
    assert stray_py == []
    # Outside those trees: the interpreter, shared libraries, the loader's
    # cache and the C.UTF-8 locale, nothing else.
    others = [f for f in seen["files"] if not any(f.startswith(t + "/") for t in allowed)]
    unexpected = [f for f in others if not (
        f == interpreter() or ".so" in os.path.basename(f) or f == "/etc/ld.so.cache"
        or f.startswith("/usr/lib/locale/"))]
    assert unexpected == []
    assert not any("/ensurepip/_bundled/" in f for f in seen["files"])
    assert len(others) < 100  # the libraries are named one by one, not whole folders


def test_declared_packages_are_checked():
    with pytest.raises(ValueError, match="'scipy'.*only 'torch'"):
        isolation.command(["true"], packages=("scipy",))
    with pytest.raises(ValueError, match="'sklearn'"):
        private_site(("sklearn",))


# -- other installation layouts ------------------------------------------------

LAYOUT_SCRIPT = """
import json, os, subprocess, sys
import numpy as np
{runner}
result, _ = run_probe({probe!r}.format(dirs=json.loads(sys.argv[1]), names=json.loads(sys.argv[2])))
ok, _ = run_probe("import numpy, os, json; os.write(3, json.dumps(float(numpy.linalg.det(numpy.eye(3)))).encode() + b'\\\\n')")
# And through the grader's own Sandbox, as a submission would try it.
from anncourse.grading.sandbox import Sandbox
cell = ("import sys\\ndef escape(dirs, names):\\n    sys.path.extend(dirs)\\n    found = 0\\n"
        "    for name in names:\\n        try:\\n            __import__(name)\\n            found += 1\\n"
        "        except BaseException:\\n            pass\\n    return found")
with Sandbox([cell], "escape", isolation="require") as escape:
    found = escape(json.loads(sys.argv[1]), json.loads(sys.argv[2]))
print(json.dumps({{"imports": result, "numpy": ok, "host_numpy": np.__file__, "sandbox": found}}))
"""


def _run_in(python: Path, tmp_path: Path, dirs: list[str], names: list[str]) -> dict:
    script = tmp_path / "layout_probe.py"
    script.write_text(LAYOUT_SCRIPT.format(runner=RUNNER, probe=IMPORT_PROBE))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([str(python), str(script), json.dumps(dirs), json.dumps(names)],
                         capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_venv_with_system_site_packages(tmp_path):
    base = interpreter()
    venv = tmp_path / "venv"
    subprocess.run([base, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
                   check=True, timeout=120)
    python = venv / "bin" / "python"
    found = subprocess.run([str(python), "-c", "import numpy, site, json; print(json.dumps("
                            "site.getsitepackages()))"], capture_output=True, text=True)
    if found.returncode != 0:
        pytest.skip("the base interpreter has no NumPy of its own for a system-site venv")
    dirs = _host_package_dirs() + json.loads(found.stdout)
    result = _run_in(python, tmp_path, dirs, FORBIDDEN)
    assert _imported(result["imports"]) == {}
    assert result["sandbox"] == 0
    assert result["numpy"] == 1.0
    # The grader's NumPy here is the base's, inside the base's site-packages,
    # the folder the sandbox hides: it is mounted on its own at SITE.
    assert Path(result["host_numpy"]).resolve().is_relative_to(Path(sys.base_prefix).resolve())


DEBIAN_PYTHON = Path("/usr/bin/python3")


@pytest.mark.skipif(not Path("/usr/lib/python3/dist-packages").is_dir()
                    or not DEBIAN_PYTHON.exists(), reason="no Debian system Python here")
def test_debian_system_python_with_dist_packages(tmp_path):
    version = subprocess.run([str(DEBIAN_PYTHON), "-c", "import sys; print(sys.version_info[:2])"],
                             capture_output=True, text=True).stdout.strip()
    if version != str(sys.version_info[:2]):
        pytest.skip("the system Python cannot load this environment's NumPy")
    venv = tmp_path / "venv"
    subprocess.run([str(DEBIAN_PYTHON), "-m", "venv", "--system-site-packages", "--without-pip",
                    str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site_dir = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig."
                                    "get_paths()['purelib'])"], capture_output=True,
                                   text=True).stdout.strip())
    numpy_dir = Path(np.__file__).resolve().parent
    (site_dir / "numpy").symlink_to(numpy_dir)
    if (numpy_dir.parent / "numpy.libs").is_dir():
        (site_dir / "numpy.libs").symlink_to(numpy_dir.parent / "numpy.libs")
    # What Debian's own packages put in dist-packages must stay out too.
    debian = sorted(p.name for p in Path("/usr/lib/python3/dist-packages").iterdir()
                    if (p / "__init__.py").exists())[:20]
    result = _run_in(python, tmp_path, _host_package_dirs(), FORBIDDEN + debian)
    assert _imported(result["imports"]) == {}
    assert result["sandbox"] == 0
    assert result["numpy"] == 1.0


# -- extra packages: torch ------------------------------------------------------

TORCH_PROBE = """
import json, os
out = {{}}
try:
    import torch
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    x, y = torch.randn(64, 8), torch.randint(0, 3, (64,))
    losses = []
    for _ in range(20):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad(); loss.backward(); opt.step()
        losses.append(loss.item())
    out["losses"] = [losses[0], losses[-1]]
    out["torch"] = torch.__file__
except BaseException as exc:
    out["error"] = f"{{type(exc).__name__}}: {{exc}}"
sys.path += {dirs!r}
for name in ["sklearn", "scipy", "anncourse", "networkx", "jinja2", "pytest"]:
    try:
        __import__(name)
        out[name] = "imported"
    except BaseException as exc:
        out[name] = type(exc).__name__
os.write(3, json.dumps(out).encode() + b"\\n")
"""

needs_torch = pytest.mark.skipif(__import__("importlib").util.find_spec("torch") is None,
                                 reason="torch is not installed")


@needs_torch
@pytest.mark.parametrize("isolated", [True, False], ids=["bubblewrap", "private-site"])
def test_torch_only_when_declared(isolated):
    # Without bubblewrap the file system is open: the probe adds no host path
    # there (it would find anything), and checks only what the site offers.
    dirs = _host_package_dirs() if isolated else []
    plain, _ = run_probe(TORCH_PROBE.format(dirs=dirs), isolated=isolated)
    assert plain["error"].startswith("ModuleNotFoundError")
    declared, _ = run_probe(TORCH_PROBE.format(dirs=dirs), packages=("torch",), isolated=isolated,
                            memory_mb=TORCH_MEMORY_MB)
    assert "error" not in declared, declared
    assert declared["losses"][1] < declared["losses"][0]  # Adam on 64 points: the loss falls
    if isolated:
        assert declared["torch"] == f"{SITE}/torch/__init__.py"
    for name in ["sklearn", "scipy", "anncourse", "networkx", "jinja2", "pytest"]:
        assert declared[name] == "ModuleNotFoundError", name


@needs_torch
@pytest.mark.parametrize("left_out", PACKAGES["torch"][1:])
def test_each_distribution_mounted_for_torch_is_needed(left_out, monkeypatch):
    monkeypatch.setitem(PACKAGES, "torch", tuple(d for d in PACKAGES["torch"] if d != left_out))
    result, _ = run_probe(TORCH_PROBE.format(dirs=[]), packages=("torch",), isolated=False,
                          memory_mb=TORCH_MEMORY_MB)
    module = left_out.replace("-", "_")
    # ModuleNotFoundError, or the ImportError sympy raises when mpmath is missing.
    assert result.get("error", "").startswith(("ModuleNotFoundError", "ImportError")), result
    assert module in result["error"]


# -- memory outside the address-space limit ---------------------------------------

FILL_PROBE = """
import json, os, signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # past RLIMIT_FSIZE: an error, not a kill
chunk = b"x" * 2**20
written = {}
for place in ["/", "/tmp", "/dev/shm", "/dev", "/sandbox", "/root", "/etc", "/usr/lib"]:
    total = 0
    for i in range(25):   # 25 files of 8 MB (below RLIMIT_FSIZE): 200 MB per place
        try:
            with open(os.path.join(place, f"fill{i}"), "wb", buffering=0) as f:
                for _ in range(8):
                    total += f.write(chunk)
        except OSError:
            break
    written[place] = total
os.write(3, json.dumps(written).encode() + b"\\n")
sys.stdin.read()   # keep the files (and the sandbox) alive while the host is measured
"""


def _shmem_kb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("Shmem:"):
            return int(line.split()[1])
    raise AssertionError("no Shmem in /proc/meminfo")


def test_writing_files_cannot_take_the_host_s_memory():
    before = _shmem_kb()
    during = {}
    written, _ = run_probe(FILL_PROBE, during=lambda proc: during.setdefault("kb", _shmem_kb()))
    assert written["/tmp"] <= TMP_BYTES
    assert written["/tmp"] >= TMP_BYTES // 2  # /tmp is usable: the limit, not an error, stopped it
    assert {k: v for k, v in written.items() if k != "/tmp" and v} == {}
    # Other programs on the machine change Shmem too (a browser test uses
    # shared memory); 200 MB were attempted in each of 8 places, so a margin
    # of 48 MB still tells a bounded sandbox from an unbounded one.
    assert (during["kb"] - before) * 1024 < TMP_BYTES + 48 * 2**20


HOLES_PROBE = """
import ctypes, json, os, signal, threading
import numpy as np
libc = ctypes.CDLL(None, use_errno=True)
out = {}

def attempt(name, call):
    try:
        result = call()
        out[name] = "allowed" if result is None or result >= 0 else os.strerror(ctypes.get_errno())
    except OSError as exc:
        out[name] = exc.strerror

attempt("memfd_create", lambda: os.memfd_create("m"))
attempt("shmget", lambda: libc.shmget(0, 2**20, 0o1600))       # IPC_PRIVATE, IPC_CREAT
def fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)

def is_open(fd):
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False

attempt("fork", fork)
attempt("unshare", lambda: libc.unshare(0x10000000 | 0x00020000))  # CLONE_NEWUSER | CLONE_NEWNS
thread = threading.Thread(target=out.setdefault, args=("thread", "ran"))
thread.start(); thread.join()
a = np.arange(250000.0).reshape(500, 500) / 1e5
out["matmul"] = float((a @ a.T).trace())
out["open_fds"] = [fd for fd in range(64) if is_open(fd)]
os.write(3, json.dumps(out).encode() + b"\\n")
"""


def test_no_shared_memory_no_processes_no_namespaces_threads_still():
    # Before the filter: 640 MB through memfd_create and 800 MB of SysV
    # segments in a sandbox limited to 1 GB (host Shmem grew by 1.4 GB).
    result, _ = run_probe(HOLES_PROBE)
    refused = {k: result[k] for k in ("memfd_create", "shmget", "fork", "unshare")}
    assert refused == dict.fromkeys(refused, "Operation not permitted")
    assert result["thread"] == "ran"
    a = np.arange(250000.0).reshape(500, 500) / 1e5
    assert result["matmul"] == pytest.approx(float((a @ a.T).trace()), rel=1e-12)
    assert result["open_fds"] == [0, 1, 2, 3]   # the filter's file was closed by bubblewrap


# -- descriptor 3 ---------------------------------------------------------------

FD3_SCRIPT = """
import json, os, sys
from matplotlib import font_manager
# matplotlib's font cache keeps the font open (here on descriptor 3) and
# empties itself in every forked child (os.register_at_fork), which closes
# the file there.  (No reference kept here: that would keep it open.)
font_manager.get_font(font_manager.findfont("DejaVu Sans"))
assert os.readlink("/proc/self/fd/3").endswith(".ttf"), os.readlink("/proc/self/fd/3")
{runner}
out = {{}}
for isolated in (True, False):
    answer, _ = run_probe("import os; os.write(3, b'[3]\\\\n')", isolated=isolated)
    out[str(isolated)] = answer
out["fd3"] = os.readlink("/proc/self/fd/3")
print(json.dumps(out))
"""


def test_answer_channel_works_when_descriptor_3_is_taken(tmp_path):
    script = tmp_path / "fd3.py"
    script.write_text(FD3_SCRIPT.format(runner=RUNNER))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["True"] == [3] and result["False"] == [3]
    assert result["fd3"].endswith(".ttf")   # the grading process's own file is untouched


SANDBOX_FD3_SCRIPT = """
import os
from matplotlib import font_manager
font_manager.get_font(font_manager.findfont("DejaVu Sans"))
assert os.readlink("/proc/self/fd/3").endswith(".ttf")
from anncourse.grading.sandbox import Sandbox
with Sandbox(["def double(x):\\n    return 2 * x"], "double", isolation="require") as f:
    print(f(21))
"""


def test_sandbox_starts_when_descriptor_3_is_taken(tmp_path):
    """The reported failure, through the grader's Sandbox (OSError EBADF before spawn())."""
    script = tmp_path / "sandbox_fd3.py"
    script.write_text(SANDBOX_FD3_SCRIPT)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "42"


# -- without root -----------------------------------------------------------------

NONROOT_SCRIPT = """
import json, os, sys
assert os.geteuid() != 0
{runner}
imports, _ = run_probe({imports!r})
numpy, _ = run_probe("import numpy, os, json; os.write(3, json.dumps([numpy.eye(2).sum(), os.getuid()]).encode() + b'\\\\n')")
written, _ = run_probe({fill!r})
print(json.dumps({{"imports": imports, "numpy": numpy, "written": written}}))
"""


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv") or not shutil.which("unshare"),
                    reason="needs root to become another user")
def test_the_unprivileged_path_as_nobody():
    """Run the grader as ``nobody``: bubblewrap then starts without root's help.

    ``nobody`` cannot traverse /root, where this machine's interpreter lives,
    so a private mount namespace first makes /root traversable (a tmpfs over
    it holding only the interpreter's folder), as a grader account would see
    an interpreter installed in its own home.
    """
    script = NONROOT_SCRIPT.format(runner=RUNNER, fill=FILL_PROBE, imports=IMPORT_PROBE.format(
        dirs=_host_package_dirs(), names=FORBIDDEN))
    real = Path(interpreter())
    home = Path("/root")
    tree = next((p for p in [real, *real.parents] if p.parent == home), None)
    prepare = ""
    if tree is not None and not os.stat(home).st_mode & 0o001:
        prepare = (f"mount --bind {tree} /mnt && mount -t tmpfs -o mode=0755,size=64k none {home}"
                   f" && mkdir {home / tree.name} && mount --move /mnt {home / tree.name} && ")
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-ec",
         prepare + 'exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"', "sh",
         sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=600,
        cwd="/")
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert _imported(result["imports"]) == {}
    assert result["numpy"] == [2.0, 65534]
    assert result["written"]["/tmp"] <= TMP_BYTES
    assert {k: v for k, v in result["written"].items() if k != "/tmp" and v} == {}
