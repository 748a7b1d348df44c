"""Collecting submissions without following what a learner put in the exchange.

A learner owns their submission folder in the exchange's ``inbound`` and can
change it after ``nbgrader submit``: replace the notebook by a symbolic link
to the instructor's ``solutions/`` notebook, a hard link to it, a FIFO that
blocks ``collect`` forever, or make the whole folder a link.  nbgrader's own
collect copies with :func:`shutil.copytree`, which follows links: the
instructor's notebook is then collected, graded as the learner's and sent
back as their feedback.

:class:`SafeCollect` replaces nbgrader's collect step (configure it with
``c.ExchangeFactory.collect``).  It inspects each inbound submission with
``lstat`` before copying and refuses, with an error in the log naming the
student and the file, any submission that is or holds anything but plain
directories and regular files with a single name.  It then copies without
following links (``os.fwalk`` and ``O_NOFOLLOW``, checking each opened file
again), so swapping a file for a link between the check and the copy is
refused too.  ``nbgrader submit`` never creates links or special files (it
copies the files links point to), so no honest submission is refused.

It also checks who handed the submission in. ``nbgrader submit
--student=<someone else>`` writes a folder named after the other student,
and nbgrader's collect takes it as theirs (``collect --update`` only warns
"cheating attempt?"). Where students are real Unix users (a JupyterHub with
local users), the folder's owner on disk is the student who wrote it, so
:class:`SafeCollect` collects a submission only if it and everything in it
belong to the Unix user named like the student (``owner_check``).

Example, in ``nbgrader_config.py``::

    c.ExchangeFactory.collect = "anncourse.grading.exchange.SafeCollect"
    c.SafeCollect.owner_check = "require"   # on a hub whose students are Unix users
"""
from __future__ import annotations

import os
import pwd
import shutil
import stat

from nbgrader.exchange.default import ExchangeCollect
from nbgrader.utils import ignore_patterns
from traitlets import Enum

__all__ = ["SafeCollect", "UnsafeSubmission", "copy_regular_tree", "foreign_entries",
           "unsafe_entries"]


class UnsafeSubmission(Exception):
    """A submission holds something other than directories and regular files."""


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "a regular file" if stat.S_ISREG(mode) else "a special file"


def _problem(path: str, st: os.stat_result) -> str | None:
    """Why the file ``path`` with ``lstat`` result ``st`` may not be collected, or None."""
    if not stat.S_ISREG(st.st_mode):
        what = _kind(st.st_mode)
        if stat.S_ISLNK(st.st_mode):
            try:
                what += f" to {os.readlink(path)}"
            except OSError:
                pass
        return f"{path} is {what}"
    if st.st_nlink != 1:
        # A second name for the file: a hard link to a file elsewhere (the
        # instructor's notebook, say) that the copy would read.
        return f"{path} is a hard link ({st.st_nlink} names for the same file)"
    return None


def unsafe_entries(top: str) -> list[str]:
    """Every entry under ``top`` that is not a plain directory or a single-name regular file.

    ``top`` itself must be a directory, not a link to one.  Nothing is
    followed or opened; an empty list means the tree may be collected.

    Examples
    --------
    >>> import os, tempfile
    >>> top = tempfile.mkdtemp()
    >>> open(os.path.join(top, "a.ipynb"), "w").close()
    >>> unsafe_entries(top)
    []
    >>> os.symlink("/etc/passwd", os.path.join(top, "b.ipynb"))
    >>> [p[len(top) + 1:] for p in unsafe_entries(top)]
    ['b.ipynb is a symbolic link to /etc/passwd']
    """
    st = os.lstat(top)
    if not stat.S_ISDIR(st.st_mode):
        return [_problem(top, st) or f"{top} is not a directory"]
    found = []
    for dirpath, dirnames, filenames, dirfd in os.fwalk(top, follow_symlinks=False):
        # fwalk lists a link to a directory among the directories (and then
        # silently does not enter it): look at every name.
        for name in sorted(dirnames + filenames):
            st = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
            problem = None if stat.S_ISDIR(st.st_mode) else _problem(os.path.join(dirpath, name), st)
            if problem:
                found.append(problem)
    return found


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def foreign_entries(top: str, username: str, required: bool = False) -> list[str]:
    """Every entry under ``top`` (``top`` included) not owned by the Unix user ``username``.

    Parameters
    ----------
    top : str
        A submission folder (not followed if it is a link).
    username : str
        The student the submission claims to come from.
    required : bool, default False
        Whether ``username`` must be a Unix user. If it is not and this is
        False, nothing can be checked and the list is empty (a single-user
        setup, where the instructor's own account holds every submission).

    Examples
    --------
    >>> import os, pwd, tempfile
    >>> me = pwd.getpwuid(os.getuid()).pw_name
    >>> foreign_entries(tempfile.mkdtemp(), me)
    []
    >>> foreign_entries(tempfile.mkdtemp(), "no-such-student")
    []
    >>> foreign_entries("/tmp", "no-such-student", required=True)
    ['no-such-student is not a user of this machine, so nothing shows who wrote /tmp']
    """
    try:
        uid = pwd.getpwnam(username).pw_uid
    except KeyError:
        if required:
            return [f"{username} is not a user of this machine, so nothing shows who wrote {top}"]
        return []
    found = []
    st = os.lstat(top)
    if st.st_uid != uid:
        found.append(f"{top} belongs to {_user_name(st.st_uid)}, not to {username}")
    if stat.S_ISDIR(st.st_mode):
        for dirpath, dirnames, filenames, dirfd in os.fwalk(top, follow_symlinks=False):
            for name in sorted(dirnames + filenames):
                st = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
                if st.st_uid != uid:
                    found.append(f"{os.path.join(dirpath, name)} belongs to "
                                 f"{_user_name(st.st_uid)}, not to {username}")
    if found:
        found.append(f"another user may have handed it in under {username}'s name")
    return found


def copy_regular_tree(src: str, dest: str, ignore=None, max_bytes: int | None = None) -> None:
    """Copy the directory ``src`` to ``dest`` (which must not exist) without following links.

    Each file is opened with ``O_NOFOLLOW`` and checked again once open, so a
    file replaced by a link or special file after :func:`unsafe_entries`
    looked at it is refused, not read.

    Parameters
    ----------
    src, dest : str
        Source directory and destination path.
    ignore : callable, optional
        ``ignore(directory, names) -> names to skip``, as for :func:`shutil.copytree`
        (nbgrader's ``ignore_patterns``).
    max_bytes : int, optional
        Refuse the submission once more than this many bytes would be copied.

    Raises
    ------
    UnsafeSubmission
        On a link, special file or hard link, or a submission over ``max_bytes``;
        ``dest`` is removed again.

    Examples
    --------
    >>> import os, tempfile
    >>> src = tempfile.mkdtemp()
    >>> with open(os.path.join(src, "a.ipynb"), "w") as fh:
    ...     _ = fh.write("{}")
    >>> dest = os.path.join(tempfile.mkdtemp(), "copy")
    >>> copy_regular_tree(src, dest)
    >>> os.listdir(dest)
    ['a.ipynb']
    """
    problems = unsafe_entries(src)
    if problems:
        raise UnsafeSubmission("; ".join(problems))
    os.makedirs(dest)
    copied = 0
    try:
        for dirpath, dirnames, filenames, dirfd in os.fwalk(src, follow_symlinks=False):
            rel = os.path.relpath(dirpath, src)
            target = os.path.normpath(os.path.join(dest, rel))
            skipped = set(ignore(dirpath, dirnames + filenames)) if ignore else set()
            dirnames[:] = [d for d in dirnames if d not in skipped]
            for d in dirnames:
                os.makedirs(os.path.join(target, d), exist_ok=True)
            for name in filenames:
                if name in skipped:
                    continue
                path = os.path.join(dirpath, name)
                try:
                    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                                 dir_fd=dirfd)
                except OSError as err:
                    raise UnsafeSubmission(f"{path} cannot be opened as a plain file ({err.strerror})")
                with os.fdopen(fd, "rb") as fh:
                    st = os.fstat(fd)
                    problem = _problem(path, st)
                    if problem:
                        raise UnsafeSubmission(problem + " (it changed while being collected)")
                    copied += st.st_size
                    if max_bytes is not None and copied > max_bytes:
                        raise UnsafeSubmission(f"{src} holds more than {max_bytes} bytes")
                    out = os.path.join(target, name)
                    with open(out, "xb") as dst:
                        shutil.copyfileobj(fh, dst)
                    os.chmod(out, stat.S_IMODE(st.st_mode) & 0o666 | stat.S_IRUSR | stat.S_IWUSR)
                    os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns))
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise


class SafeCollect(ExchangeCollect):
    """nbgrader's collect, refusing links, special files and submissions made for someone else.

    A refused submission is not copied at all. The student's newest
    acceptable submission, if any, is collected instead, and otherwise an
    earlier collected submission is left as it was; the log says, at ERROR
    level, whose submission was refused and why.  The other students are
    collected as usual and the command succeeds.
    """

    owner_check = Enum(
        ["auto", "require", "off"], default_value="auto",
        help="Whether a submission must belong, on disk, to the Unix user named like its "
             "student. 'auto': where that user exists (students are Unix users, as on a "
             "JupyterHub with local users); a student who is not a Unix user cannot be "
             "checked and is accepted (a single-user setup). 'require': the student must be "
             "a Unix user and own the submission. 'off': never check (a shared account "
             "hands in for everybody).").tag(config=True)

    def _refused(self, rec: dict) -> bool:
        """Whether the inbound submission ``rec`` is refused; reports it the first time."""
        if "problems" not in rec:
            path = os.path.join(self.inbound_path, rec["filename"])
            problems = unsafe_entries(path)
            if self.owner_check != "off":
                problems += foreign_entries(path, rec["username"],
                                            required=self.owner_check == "require")
            rec["problems"] = problems
            if problems:
                self._refuse(rec, "; ".join(problems))
        return bool(rec["problems"])

    def _sort_by_timestamp(self, records):
        # nbgrader collects the first record of this order for each student
        # (newest first, then the newest before the due date). Refused
        # submissions go last, so that one forged in a student's name after
        # their own does not displace it.
        newest_first = super()._sort_by_timestamp(records)
        return ([r for r in newest_first if not self._refused(r)]
                + [r for r in newest_first if self._refused(r)])

    def copy_files(self):
        # A student with no acceptable submission at all is left out.
        self.src_records = [rec for rec in self.src_records if not self._refused(rec)]
        super().copy_files()

    def _refuse(self, rec: dict, why: str) -> None:
        self.log.error(
            "Refused the submission of %s for %s (%s): %s. Only directories and regular files "
            "that belong to the student are collected; nothing of this submission was copied, "
            "and the student's earlier collected submission, if any, is unchanged.",
            rec["username"], self.coursedir.assignment_id, rec["filename"], why)

    def do_copy(self, src, dest, log=None):
        """Copy one submission like nbgrader's ``do_copy``, without following links."""
        # nbgrader's own filter: CourseDirectory.ignore, include and max_file_size.
        ignore = ignore_patterns(exclude=self.coursedir.ignore, include=self.coursedir.include,
                                 max_file_size=self.coursedir.max_file_size, log=self.log)
        try:
            copy_regular_tree(src, dest, ignore=ignore, max_bytes=1000 * self.coursedir.max_dir_size)
        except UnsafeSubmission as err:
            self._refuse({"username": os.path.basename(src).split("+")[0], "filename": os.path.basename(src)},
                         str(err))
            return
        if self.coursedir.groupshared:
            # As nbgrader does: the course's group may read and write what is collected.
            for dirname, _, filenames in os.walk(dest):
                os.chmod(dirname, (os.stat(dirname).st_mode | 0o2770) & 0o2777)
                for name in filenames:
                    path = os.path.join(dirname, name)
                    os.chmod(path, (os.stat(path).st_mode | 0o660) & 0o777)

