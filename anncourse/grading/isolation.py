"""The operating system's part of the sandbox: what the worker process can see and use.

:func:`spawn` starts the worker: inside bubblewrap when ``isolated``, with
its resource limits, and with the answer channel on file descriptor 3.
:func:`command` gives the bubblewrap command line alone.  :mod:`.sandbox`
speaks the protocol with the process; this module only decides what
surrounds it.

What the worker sees (the *mount plan*, computed once per process):

* the base interpreter, the directories of its own ``sys.path`` when started
  with ``-I -S`` (the standard library and ``lib-dynload``), read-only, with
  every ``site-packages`` or ``dist-packages`` inside them, and the wheels
  bundled with ``ensurepip``, hidden under an empty read-only mount;
* NumPy (and ``numpy.libs``) at :data:`SITE`, plus the installed
  distributions of any package an exercise declares (:data:`PACKAGES`);
* exactly the shared libraries these load, as ``ldd`` resolves them, with the
  dynamic loader and the symbolic links on the way to them, the loader's
  cache ``/etc/ld.so.cache`` and the ``C.UTF-8`` locale;
* ``/proc``, a minimal ``/dev``, and a :data:`TMP_BYTES` ``/tmp``: the only
  writable place.  ``/`` and ``/dev`` are read-only.

Nothing else: no ``/usr``, no ``/etc``, no home, no course folder, no network.
A seccomp filter refuses the system calls that would get memory around the
address-space limit or start processes (see :data:`_SYSCALLS`).
"""
from __future__ import annotations

import atexit
import csv
import functools
import importlib.metadata
import json
import os
import resource
import shlex
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["PACKAGES", "SITE", "TMP_BYTES", "TORCH_MEMORY_MB", "command", "isolation_available",
           "interpreter", "limits", "mount_plan", "private_site", "spawn"]

SITE = "/sandbox/site"
_SITE = SITE
_NOBODY = 65534

#: Size of the sandbox's ``/tmp``, the only writable file system in it.  A
#: tmpfs is shared memory: the host pays for what is written there, and
#: RLIMIT_AS does not count it.  The worker itself writes nothing; 16 MB
#: leaves room for a learner's ``tempfile`` or ``np.save`` while bounding what
#: a submission can take from the host this way.  It equals RLIMIT_FSIZE, the
#: largest file the worker may write anyway.
TMP_BYTES = 16 * 2**20

#: The mount points hiding ``site-packages`` and the like are empty tmpfs
#: mounts, read-only; the kernel needs some size, and one page is enough.
_MASK_BYTES = 4096

#: Memory limit (RLIMIT_AS, in MB) for a worker that may import torch.
#: RLIMIT_AS counts address space, not memory used.  Measured in the sandbox
#: with torch 2.13 (CPU) and OMP_NUM_THREADS=1 (each further thread adds 55
#: to 110 MB): a NumPy worker peaks at 96 MB, so the usual 1024 MB leaves its
#: learner about 930 MB; ``import torch`` peaks at 582 MB and five Adam steps
#: of a 784-256-10 MLP on batches of 512 at 666 MB.  1600 MB gives a torch
#: exercise the same 930 MB of room.
TORCH_MEMORY_MB = 1600

#: The extra packages an exercise may declare, with the installed
#: distributions mounted for each: the package's own and those it imports
#: when used.  Found by trying, not from the requirements: ``import torch``
#: needs ``typing_extensions``; the optimizers (``torch.optim.Adam``...) ask
#: whether they run under ``torch.compile``, which imports sympy, which
#: needs mpmath.  The
#: rest of torch's requirements (networkx, jinja2, filelock, fsspec,
#: setuptools) serve ``torch.compile``, ``torch.hub`` and C++ extensions,
#: which need a compiler or the network the sandbox does not have.  A test
#: checks that each listed distribution is needed and that these suffice.
PACKAGES: dict[str, tuple[str, ...]] = {
    "torch": ("torch", "typing_extensions", "sympy", "mpmath"),
}

#: Shared libraries are found with ``ldd``; these names in lib-dynload are
#: skipped: Tk needs a display the sandbox does not have, and its libraries
#: (X11, Tcl/Tk, fontconfig...) would be most of the list.
_SKIP_EXTENSIONS = ("_tkinter",)


class IsolationError(RuntimeError):
    """The sandbox's file system cannot be planned on this machine."""


def _bwrap() -> str | None:
    return shutil.which("bwrap")


def interpreter() -> str:
    # The base interpreter, not the virtual environment's: the sandbox must not
    # see the environment's site-packages (anncourse, torch, scikit-learn...).
    return os.path.realpath(getattr(sys, "_base_executable", sys.executable))


# -- what the worker needs ----------------------------------------------------

_PROBE = ("import json, sys, sysconfig; print(json.dumps({'path': sys.path, "
          "'paths': sysconfig.get_paths(), 'executable': sys.executable}))")


@functools.cache
def _interpreter_layout() -> dict:
    """The base interpreter's own view of where its standard library is.

    Asked of the interpreter itself, started the way the worker is (``-I
    -S``): distributions patch ``sysconfig`` (Debian's ``posix_local``,
    conda), and from inside a virtual environment the grader's own
    ``sysconfig`` describes the environment, not the base.
    """
    out = subprocess.run([interpreter(), "-I", "-S", "-c", _PROBE], capture_output=True,
                         text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    if out.returncode != 0:
        raise IsolationError(f"cannot start {interpreter()}: {out.stderr.strip()[-500:]}")
    return json.loads(out.stdout)


def _inside(path: Path, roots) -> bool:
    return any(path == r or path.is_relative_to(r) for r in roots)


def _is_library(name: str) -> bool:
    return name.endswith(".so") or ".so." in name


def _distribution_files(dist) -> list[str]:
    # RECORD read directly: dist.files makes a PackagePath of each of
    # torch's 18,000 files, a second's work.
    record = dist.read_text("RECORD")
    if record:
        return [row[0] for row in csv.reader(record.splitlines()) if row]
    return [str(f) for f in dist.files or ()]


@functools.cache
def _distribution_items(name: str) -> tuple[list[tuple[Path, str]], list[Path]]:
    """(host path, name under SITE) for each top-level item of a distribution,
    and its shared libraries."""
    try:
        dist = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        raise IsolationError(f"the sandbox should mount the installed {name!r}, but it is not "
                             "installed in the grader's environment") from None
    names, libraries = set(), []
    for f in _distribution_files(dist):
        parts = Path(f).parts
        if not parts or parts[0] == "..":
            continue  # scripts installed in bin/: not importable
        if parts[0] == "__pycache__":
            # Shared by every top-level module of the folder: only this
            # distribution's own compiled files.
            names.add("/".join(parts[:2]))
        else:
            names.add(parts[0])
        if _is_library(parts[-1]):
            libraries.append(Path(dist.locate_file(f)))
    items = [(Path(dist.locate_file(rel)).resolve(), rel) for rel in sorted(names)]
    return ([(path, rel) for path, rel in items if path.exists()],
            [p for p in libraries if p.is_file()])


def _site_items(packages: tuple[str, ...]) -> tuple[list[tuple[Path, str]], list[Path]]:
    """What goes under SITE, and the shared libraries in it."""
    numpy_dir = Path(np.__file__).resolve().parent
    items = [(numpy_dir, "numpy")]
    if (numpy_dir.parent / "numpy.libs").is_dir():
        items.append((numpy_dir.parent / "numpy.libs", "numpy.libs"))
    libraries = [p for src, _ in items for p in src.rglob("*.so*")
                 if _is_library(p.name) and p.is_file()]
    for package in packages:
        for dist in PACKAGES[package]:
            more, libs = _distribution_items(dist)
            items += more
            libraries += libs
    return items, libraries


def _check_packages(packages) -> tuple[str, ...]:
    if isinstance(packages, str):
        packages = (packages,)
    packages = tuple(sorted(set(packages)))
    unknown = [p for p in packages if p not in PACKAGES]
    if unknown:
        raise ValueError(f"the sandbox cannot provide {', '.join(map(repr, unknown))}: an exercise "
                         f"may declare only {', '.join(map(repr, PACKAGES))}")
    return packages


def _dynamic_needs(path: Path):
    """What decides how the loader resolves ``path``'s libraries: its DT_NEEDED
    names and its DT_RPATH/DT_RUNPATH (with ``$ORIGIN`` expanded), or None
    if it is not a 64-bit little-endian ELF file this reader understands.

    Only the headers and the dynamic section are read: libtorch_cpu.so alone
    is 400 MB.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if len(head) < 64 or head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
                return None
            phoff, = struct.unpack_from("<Q", head, 0x20)
            phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
            f.seek(phoff)
            table = f.read(phentsize * phnum)
            loads, dynamic = [], None
            for i in range(phnum):
                p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(
                    "<IIQQQQ", table, i * phentsize)
                if p_type == 1:
                    loads.append((p_vaddr, p_offset, p_filesz))
                elif p_type == 2:
                    dynamic = (p_offset, p_filesz)
            if dynamic is None:
                return ()
            f.seek(dynamic[0])
            section = f.read(dynamic[1])
            entries = []
            for pos in range(0, len(section) - 15, 16):
                tag, value = struct.unpack_from("<qQ", section, pos)
                if tag == 0:
                    break
                entries.append((tag, value))
            values = dict(entries)
            if 5 not in values or 10 not in values:
                return None
            start = next((off + values[5] - v for v, off, size in loads
                          if v <= values[5] < v + size), None)
            if start is None:
                return None
            f.seek(start)
            strtab = f.read(values[10])
    except (OSError, struct.error):
        return None

    def string(at):
        return strtab[at:strtab.index(b"\0", at)].decode(errors="replace")

    try:
        needed = tuple(sorted(string(v) for t, v in entries if t == 1))
        paths = tuple(string(v).replace("$ORIGIN", str(path.parent)).replace(
            "${ORIGIN}", str(path.parent)) for t, v in entries if t in (15, 29))
    except ValueError:
        return None
    return needed, paths


def _shared_libraries(binaries: list[Path]) -> list[str]:
    """The libraries ``binaries`` load, as the dynamic loader resolves them."""
    ldd = shutil.which("ldd")
    if ldd is None:
        raise IsolationError("the sandbox needs `ldd` (glibc's libc-bin) to find the shared "
                             "libraries Python and NumPy load")
    # ldd starts the loader once per file (10 ms each): ask it about one file
    # per distinct (needed libraries, search path), which resolve alike.
    representatives = {}
    for binary in binaries:
        key = _dynamic_needs(binary)
        representatives.setdefault(key if key is not None else str(binary), binary)
    binaries = list(representatives.values())
    found = []
    # ldd runs one loader per file; batches keep the command line short.
    for start in range(0, len(binaries), 200):
        out = subprocess.run([ldd, *map(str, binaries[start:start + 200])], capture_output=True,
                             text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "LANG": "C"})
        for line in out.stdout.splitlines():
            line = line.strip()
            if "=>" in line:
                target = line.split("=>", 1)[1].split("(")[0].strip()
                if target.startswith("/"):
                    found.append(target)
                elif target == "not found":
                    continue  # that module will not import: the host cannot load it either
            elif line.startswith("/") and "(" in line:
                found.append(line.split("(")[0].strip())  # the dynamic loader itself
    return list(dict.fromkeys(found))


def _reach(path: str, symlinks: dict, files: dict, depth: int = 0) -> None:
    """Record the symbolic links and the file that make ``path`` resolve as on the host."""
    if depth > 40:
        raise IsolationError(f"too many symbolic links resolving {path}")
    current = Path("/")
    parts = Path(path).parts[1:]
    for i, part in enumerate(parts):
        candidate = current / part
        if candidate.is_symlink():
            target = os.readlink(candidate)
            symlinks.setdefault(str(candidate), target)
            rest = Path(*parts[i + 1:]) if i + 1 < len(parts) else None
            resolved = (candidate.parent / target)
            _reach(os.path.normpath(resolved / rest if rest else resolved), symlinks, files,
                   depth + 1)
            return
        current = candidate
    files[str(current)] = str(current)


@functools.cache
def mount_plan(packages: tuple[str, ...] = ()) -> dict:
    """What the sandbox mounts, computed once per process and set of packages.

    Returns
    -------
    dict
        ``binds``: (host path, sandbox path) pairs, mounted read-only;
        ``masks``: sandbox paths hidden under an empty read-only tmpfs;
        ``symlinks``: (target, sandbox path) pairs.

    Examples
    --------
    >>> plan = mount_plan()
    >>> any(dest == SITE + "/numpy" for _, dest in plan["binds"])
    True
    """
    packages = _check_packages(packages)
    layout = _interpreter_layout()
    interp = Path(interpreter())
    # The standard library: the directories the interpreter searches with -I -S.
    trees = []
    for entry in layout["path"]:
        p = Path(entry).resolve()
        if p.exists() and not _inside(p, trees):
            trees = [t for t in trees if not t.is_relative_to(p)] + [p]
    binds = [(str(t), str(t)) for t in trees]
    masks = []
    paths = layout["paths"]
    for tree in trees:
        if not tree.is_dir():
            continue
        for hidden in [tree / "site-packages", tree / "dist-packages",
                       tree / "ensurepip" / "_bundled",
                       *(Path(paths[k]) for k in ("purelib", "platlib") if paths.get(k))]:
            hidden = hidden.resolve()
            if hidden.is_dir() and _inside(hidden, [tree]) and str(hidden) not in masks:
                masks.append(str(hidden))
    site, site_libraries = _site_items(packages)
    binds += [(str(src), f"{SITE}/{name}") for src, name in site]
    # Everything mounted so far needs its shared libraries; those inside the
    # mounted trees are already there (numpy.libs, torch/lib).
    mounted = trees + [src for src, _ in site]
    binaries = [interp]
    # The standard library's extension modules are all top-level modules, in
    # the folders of sys.path (lib-dynload): no need to walk the trees.
    for entry in layout["path"]:
        if os.path.isdir(entry):
            binaries += [p for p in Path(entry).iterdir() if p.name.endswith(".so")
                         and p.name.split(".")[0] not in _SKIP_EXTENSIONS]
    binaries += site_libraries
    symlinks: dict[str, str] = {}
    files: dict[str, str] = {}
    if not _inside(interp, trees):
        _reach(str(interp), symlinks, files)
    for lib in _shared_libraries(binaries):
        if not _inside(Path(lib).resolve(), mounted):
            _reach(lib, symlinks, files)
    # The loader's cache lets it find the libraries where it found them on
    # the host; the C.UTF-8 locale keeps LANG=C.UTF-8 meaning UTF-8 text.
    for extra in ("/etc/ld.so.cache", "/usr/lib/locale/C.utf8"):
        if os.path.exists(extra):
            _reach(extra, symlinks, files)
    binds += [(f, f) for f in files if not _inside(Path(f), trees)]
    return {"binds": binds, "masks": masks,
            "symlinks": [(target, at) for at, target in symlinks.items()]}


# -- system calls ---------------------------------------------------------------

# Memory that RLIMIT_AS does not count, and how the worker could get it
# without the system calls below: none.  memfd_create and SysV shmget make
# shared memory that outlives its mapping (Shmem, like a tmpfs file: 1.4 GB
# measured in a 1 GB sandbox); each new process would get its own RLIMIT_AS
# (fork, vfork, clone without CLONE_THREAD); a new user namespace (unshare,
# setns) could mount a tmpfs of any size.  The worker needs none of them:
# threads (clone with CLONE_THREAD) stay allowed, and clone3, whose flags a
# filter cannot read, answers ENOSYS, on which glibc falls back to clone.
_SYSCALLS = {
    # AUDIT_ARCH: {name: number}; the 32-bit ABIs a 64-bit process could call
    # are refused whole (below).
    0xC000003E: {"fork": 57, "vfork": 58, "clone": 56, "clone3": 435, "memfd_create": 319,
                 "memfd_secret": 447, "shmget": 29, "unshare": 272, "setns": 308},  # x86_64
    0xC00000B7: {"clone": 220, "clone3": 435, "memfd_create": 279, "memfd_secret": 447,
                 "shmget": 194, "unshare": 97, "setns": 268},  # aarch64
}
_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}


def _seccomp_program() -> bytes | None:
    """The classic-BPF seccomp filter for this machine, or None for another architecture."""
    arch = _AUDIT_ARCH.get(os.uname().machine)
    if arch is None:
        return None
    calls = _SYSCALLS[arch]
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06   # BPF_LD|W|ABS, BPF_JMP|..|K, BPF_RET
    returns = {"allow": 0x7FFF0000, "eperm": 0x00050000 | 1, "enosys": 0x00050000 | 38}
    # (code, jump if true, jump if false, k), jumps by label: resolved below.
    prog = [(ld, None, None, 4),                            # the architecture
            (jeq, None, "enosys", arch),                    # another ABI (i386 on x86_64)
            (ld, None, None, 0)]                            # the system call's number
    if arch == 0xC000003E:
        prog.append((jge, "eperm", None, 0x40000000))       # x32 system calls
    prog += [(jeq, "eperm", None, n) for name, n in calls.items()
             if name not in ("clone", "clone3")]
    prog += [(jeq, "enosys", None, calls["clone3"]),
             (jeq, "clone", None, calls["clone"]),
             ("allow", ret, None, None, returns["allow"]),
             ("clone", ld, None, None, 16),                 # clone's flags (low 32 bits)
             (jset, "thread", "eperm", 0x00010000),         # CLONE_THREAD: a thread
             ("eperm", ret, None, None, returns["eperm"]),
             ("enosys", ret, None, None, returns["enosys"]),
             ("thread", ret, None, None, returns["allow"])]   # (BPF jumps only forward)
    labels, flat = {}, []
    for insn in prog:
        if isinstance(insn[0], str):
            labels[insn[0]] = len(flat)
            insn = insn[1:]
        flat.append(insn)
    out = []
    for i, (code, jt, jf, k) in enumerate(flat):
        # A jump counts from the next instruction; None falls through.
        jt = labels[jt] - i - 1 if isinstance(jt, str) else 0
        jf = labels[jf] - i - 1 if isinstance(jf, str) else 0
        out.append(struct.pack("<HBBI", code, jt, jf, k))
    return b"".join(out)


@functools.cache
def _seccomp_file() -> str | None:
    program = _seccomp_program()
    if program is None:
        return None
    folder = tempfile.mkdtemp(prefix="anncourse-seccomp-")
    atexit.register(shutil.rmtree, folder, True)
    path = os.path.join(folder, "filter.bpf")
    with open(path, "wb") as f:
        f.write(program)
    return path


# -- the command --------------------------------------------------------------

def _stage_root(path: Path) -> Path | None:
    """The folder to bind elsewhere so that ``nobody`` can reach ``path``, or None."""
    blocked = None
    for ancestor in reversed(path.parents):  # "/" first
        try:
            mode = ancestor.stat().st_mode
        except OSError:
            return None
        if not mode & stat.S_IXOTH:
            blocked = ancestor
    if blocked is None:
        return None
    return blocked / path.relative_to(blocked).parts[0]


def command(argv: list[str], *, packages=(), answer_on_stdout: bool = False) -> list[str]:
    """``argv`` wrapped in bubblewrap, seeing only Python, NumPy and ``packages``.

    As root, the sandbox runs as ``nobody`` so that the process limit holds
    (the kernel does not apply it to root).  ``nobody`` may not be able to
    reach the interpreter (under /root, say), so a private mount namespace
    first stages the folders it cannot reach on a tmpfs that ``nobody`` can
    traverse.

    Parameters
    ----------
    argv : list of str
        The worker's command line, run by the base interpreter.
    packages : iterable of str
        Extra packages the worker may import (keys of :data:`PACKAGES`).
    answer_on_stdout : bool
        Move the command's standard output to descriptor 3, and /dev/null to
        its standard output, before bubblewrap starts (see :func:`spawn`).

    Examples
    --------
    >>> cmd = command(["python", "-c", "pass"])
    >>> "--unshare-all" in cmd and cmd[-3:] == ["python", "-c", "pass"]
    True
    """
    plan = mount_plan(_check_packages(packages))
    as_root = os.geteuid() == 0 and shutil.which("setpriv") and shutil.which("unshare")
    stage = "/mnt" if Path("/mnt").is_dir() else "/tmp"
    staged: dict[Path, str] = {}

    def source(host: str) -> str:
        if not as_root:
            return host
        root = _stage_root(Path(host))
        if root is None:
            return host
        at = staged.setdefault(root, f"{stage}/{len(staged)}")
        return at + host[len(str(root)):]

    cmd = [_bwrap(), "--unshare-all", "--die-with-parent", "--new-session"]
    for target, at in plan["symlinks"]:
        cmd += ["--symlink", target, at]
    for host, dest in plan["binds"]:
        cmd += ["--ro-bind", source(host), dest]
    for dest in plan["masks"]:
        cmd += ["--size", str(_MASK_BYTES), "--tmpfs", dest, "--remount-ro", dest]
    seccomp = _seccomp_file()
    if seccomp:
        # bubblewrap reads the filter from descriptor 4, opened by the shell below.
        cmd += ["--seccomp", "4"]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev",
            "--size", str(TMP_BYTES), "--tmpfs", "/tmp", "--chdir", "/tmp",
            "--remount-ro", "/", "--"] + list(argv)
    move = _MOVE if answer_on_stdout else ""
    filter_fd = f" 4<{shlex.quote(seccomp)}" if seccomp else ""
    if not as_root:
        if not move + filter_fd:
            return cmd
        return ["/bin/sh", "-c", f'exec "$@"{move}{filter_fd}', "sh"] + cmd
    roots = list(staged)
    # The filter is opened first: the staging tmpfs may cover /tmp, where it is.
    # A tiny tmpfs holds the mount points; bind mounts of folders cost no memory.
    script = [f"mount -t tmpfs -o mode=0755,size=64k anncourse {stage}"]
    for i, root in enumerate(roots):
        script.append(f'{"touch" if root.is_file() else "mkdir"} {stage}/{i} '
                      f'&& mount --bind "${i + 1}" {stage}/{i}')
    body = (f"exec{filter_fd}\n" if filter_fd else "") + " && ".join(script)
    return (["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-ec",
             f"{body}\nshift {len(roots)}\n"
             f'exec setpriv --reuid={_NOBODY} --regid={_NOBODY} --clear-groups "$@"{move}', "sh"]
            + [str(r) for r in roots] + cmd)


@functools.cache
def isolation_available() -> bool:
    """Whether bubblewrap is installed and can start a sandbox here."""
    if not _bwrap() or os.environ.get("ANNCOURSE_SANDBOX") == "none":
        return False
    try:
        cmd = command([interpreter(), "-I", "-S", "-c", "import encodings"])
        return subprocess.run(cmd, capture_output=True, timeout=60,
                              preexec_fn=limits(256, 10)).returncode == 0
    except (OSError, subprocess.SubprocessError, IsolationError):
        return False


# -- resource limits ----------------------------------------------------------

def _own_process_count() -> int:
    uid = _NOBODY if os.geteuid() == 0 else os.getuid()
    count = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            for line in status.read_text().splitlines():
                if line.startswith("Uid:"):
                    count += int(line.split()[1]) == uid
                    break
        except OSError:
            continue
    return count


def _limit_values(memory_mb: int, cpu_seconds: int, extra_processes: int = 32) -> dict:
    nproc = _own_process_count() + extra_processes
    return {
        resource.RLIMIT_AS: (memory_mb * 2**20, memory_mb * 2**20),
        resource.RLIMIT_CPU: (cpu_seconds, cpu_seconds + 1),
        resource.RLIMIT_NPROC: (nproc, nproc),
        resource.RLIMIT_FSIZE: (16 * 2**20, 16 * 2**20),
        resource.RLIMIT_NOFILE: (256, 256),
        resource.RLIMIT_CORE: (0, 0),
    }


def limits(memory_mb: int, cpu_seconds: int, extra_processes: int = 32):
    """A ``preexec_fn`` applying the worker's resource limits."""
    values = _limit_values(memory_mb, cpu_seconds, extra_processes)

    def apply():
        for which, value in values.items():
            resource.setrlimit(which, value)

    return apply


# The answer pipe reaches the child as its standard output, which
# subprocess places on descriptor 1 whatever its number here; the shell then
# moves it to 3.  (dash, Debian's /bin/sh, redirects only descriptors 0 to 9,
# so the pipe's own number, often above 9, cannot be named there.)
_MOVE = " 3>&1 >/dev/null"

_PRLIMIT_NAMES = {resource.RLIMIT_AS: "as", resource.RLIMIT_CPU: "cpu",
                  resource.RLIMIT_NPROC: "nproc", resource.RLIMIT_FSIZE: "fsize",
                  resource.RLIMIT_NOFILE: "nofile", resource.RLIMIT_CORE: "core"}


def spawn(argv: list[str], *, answer_fd: int, memory_mb: int, cpu_seconds: int,
          isolated: bool = True, packages=(), **popen) -> subprocess.Popen:
    """Start the worker: limits applied, ``answer_fd`` on 3, in bubblewrap if ``isolated``.

    No Python code runs in the child between fork and exec.  The answer pipe
    goes to the child as its standard output, which subprocess places on 1
    whatever its number here, and a shell moves it to 3 (standard output
    becomes /dev/null); the limits come from ``prlimit``.  A ``preexec_fn``
    would run the grading process's at-fork handlers in the child, and
    these may close the grading process's files (matplotlib closes its
    fonts): with 3 in ``pass_fds`` that failed with EBADF whenever the
    grading process had a file of its own on 3.  It is also unsafe with
    threads and rules out vfork.  Only where ``prlimit`` is missing (not
    Linux) are the limits applied by a ``preexec_fn``.

    Parameters
    ----------
    argv : list of str
        The worker's command line.
    answer_fd : int
        The write end of the answer pipe, any number; the worker finds it on 3.
    memory_mb, cpu_seconds : int
        Address-space and CPU-time limits.
    isolated : bool
        Run inside bubblewrap (see :func:`command`).
    packages : iterable of str
        Extra packages an isolated worker may import.
    **popen
        Passed to :class:`subprocess.Popen` (``stdin``, ``env``, ``cwd``...).

    Examples
    --------
    >>> r, w = os.pipe()
    >>> proc = spawn([interpreter(), "-I", "-S", "-c", "import os; os.write(3, b'hi')"],
    ...              answer_fd=w, memory_mb=512, cpu_seconds=5, isolated=False)
    >>> os.close(w); proc.wait(), os.read(r, 2)
    (0, b'hi')
    >>> os.close(r)
    """
    for key in ("stdout", "pass_fds", "preexec_fn", "close_fds"):
        if key in popen:
            raise TypeError(f"spawn() sets {key} itself")
    values = _limit_values(memory_mb, cpu_seconds)
    if isolated:
        cmd = command(argv, packages=packages, answer_on_stdout=True)
    else:
        _check_packages(packages)
        cmd = ["/bin/sh", "-c", f'exec "$@"{_MOVE}', "sh"] + list(argv)
    prlimit = shutil.which("prlimit")
    preexec = None
    if prlimit:
        cmd = [prlimit] + [f"--{_PRLIMIT_NAMES[k]}={soft}:{hard}"
                           for k, (soft, hard) in values.items()] + ["--"] + cmd
    else:
        preexec = limits(memory_mb, cpu_seconds)
    popen.setdefault("start_new_session", True)
    return subprocess.Popen(cmd, stdout=answer_fd, close_fds=True, preexec_fn=preexec, **popen)


# -- without bubblewrap -------------------------------------------------------

_PRIVATE_SITES: dict[tuple, Path] = {}


def private_site(packages=()) -> Path:
    """A folder holding only (links to) NumPy and ``packages``, for the unisolated fallback.

    Examples
    --------
    >>> (private_site() / "numpy" / "__init__.py").exists()
    True
    """
    packages = _check_packages(packages)
    items = tuple(_site_items(packages)[0])
    if items not in _PRIVATE_SITES:
        site = Path(tempfile.mkdtemp(prefix="anncourse-site-"))
        for src, name in items:
            (site / name).parent.mkdir(parents=True, exist_ok=True)
            (site / name).symlink_to(src)
        _PRIVATE_SITES[items] = site
    return _PRIVATE_SITES[items]


def describe(packages=()) -> str:
    """The mounts as shell-quoted bubblewrap arguments, one per line (for reports)."""
    plan = mount_plan(_check_packages(packages))
    lines = [f"--symlink {shlex.quote(t)} {shlex.quote(a)}" for t, a in plan["symlinks"]]
    lines += [f"--ro-bind {shlex.quote(h)} {shlex.quote(d)}" for h, d in plan["binds"]]
    lines += [f"--size {_MASK_BYTES} --tmpfs {shlex.quote(m)} --remount-ro {shlex.quote(m)}"
              for m in plan["masks"]]
    return "\n".join(lines)
