#!/usr/bin/env bash
# Prepare one server to host the course on JupyterHub (run as root, again after any roster change).
#
#   deploy/jupyterhub/setup.sh ROSTER.csv
#
# ROSTER.csv has one line per person, "user,role,course", where role is
# "student" or "instructor" (a TA is an instructor), for example:
#
#   ada,student,anncourse
#   grace,instructor,anncourse
#
# What it does, and may do again without harm:
#   1. checks that PYTHON is >= 3.11.4 and that every user can run it;
#   2. per course C: the Unix groups nbgrader-C (learners) and formgrade-C
#      (instructors), the grader's own user grader-C, and every person on the
#      roster (an existing account, e.g. from LDAP, is only added to the group);
#      every home it creates is 0700;
#   3. the nbgrader exchange, 1777, so each learner can hand in and no one can
#      remove another's submission;
#   4. the virtual environment PREFIX/venv, readable by all, with the course,
#      JupyterHub and PyTorch (CPU), and the nbgrader configuration that every
#      server and grader in it shares;
#   5. the proxy, configurable-http-proxy from npm, at the version the
#      lock file beside this script pins;
#   6. per course, the grader's course folder ~grader-C/C with the course's
#      instructor notebooks (solutions/) and its nbgrader configuration.
# People's own JupyterLab hides formgrader and Create Assignment: grading is
# done in the course's grader.
# It sets no passwords: the hub logs people in with their Unix (PAM) password.
#
# Environment variables:
#   PYTHON               the interpreter to build the venv from (default: the newest python3.x >= 3.11.4 found)
#   ANNCOURSE_HUB_PREFIX where the venv, the proxy and the hub's state go (default: /opt/anncourse)
#   ANNCOURSE_EXCHANGE   the nbgrader exchange (default: /srv/nbgrader/exchange)
#   ANNCOURSE_HOME_BASE  where new users' homes are made (default: /home)
#   TORCH_INDEX_URL      a pip index for PyTorch, e.g. https://download.pytorch.org/whl/cpu
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PREFIX=${ANNCOURSE_HUB_PREFIX:-/opt/anncourse}
EXCHANGE=${ANNCOURSE_EXCHANGE:-/srv/nbgrader/exchange}
HOME_BASE=${ANNCOURSE_HOME_BASE:-/home}
TORCH_VERSION=2.13.0
# nbconvert's soupsieve fails on Python 3.11.0 to 3.11.3 (Debian 12 ships 3.11.2).
MIN_PYTHON=(3 11 4)

die() { echo "setup.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] || { sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
ROSTER=$1
[ "$(id -u)" = 0 ] || die "run me as root: I create users, groups and folders owned by them."
[ -r "$ROSTER" ] || die "cannot read the roster $ROSTER"
for tool in useradd groupadd gpasswd runuser npm; do
    command -v "$tool" >/dev/null || die "$tool is not installed (it is needed to set the server up)."
done

# ---- 1. a Python everyone can run ----
python_ok() {
    "$1" -c "import sys; sys.exit(sys.version_info < (${MIN_PYTHON[0]}, ${MIN_PYTHON[1]}, ${MIN_PYTHON[2]}))" 2>/dev/null
}
if [ -z "${PYTHON:-}" ]; then
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null && python_ok "$candidate"; then PYTHON=$candidate; break; fi
    done
    [ -n "${PYTHON:-}" ] || die "no Python >= ${MIN_PYTHON[0]}.${MIN_PYTHON[1]}.${MIN_PYTHON[2]} found; point PYTHON at one."
fi
PYTHON=$(command -v "$PYTHON") || die "PYTHON=$PYTHON is not a program"
python_ok "$PYTHON" ||
    die "PYTHON=$PYTHON is $("$PYTHON" --version 2>&1); the course needs ${MIN_PYTHON[0]}.${MIN_PYTHON[1]}.${MIN_PYTHON[2]} or newer (nbgrader 0.9.6 needs 3.11, nbconvert's soupsieve 3.11.4)."
# The venv links to its interpreter: a Python under /root (pyenv's default) is
# fine for root and fails for every learner with "Permission denied".
# Checked by running it as nobody: it must start, be the same Python (an
# interpreter whose libpython is unreadable can fall back to the system's), and
# load its standard library.
probe='import sys, encodings, ssl, sqlite3; print(sys.prefix, sys.version)'
[ "$(runuser -u nobody -- "$PYTHON" -c "$probe" 2>/dev/null)" = "$("$PYTHON" -c "$probe")" ] ||
    die "PYTHON=$PYTHON cannot be run by other users (is it under a private folder such as /root?).
Install a Python >= ${MIN_PYTHON[0]}.${MIN_PYTHON[1]}.${MIN_PYTHON[2]} where everyone can read it (e.g. under /usr/local or /opt) and point PYTHON at it."

# ---- 2. groups and users ----
make_user() {  # name [group]: create the account if it does not exist, home 0700
    local name=$1
    if ! id "$name" >/dev/null 2>&1; then
        useradd --create-home --base-dir "$HOME_BASE" --shell /bin/bash --user-group "$name"
        chmod 0700 "$(getent passwd "$name" | cut -d: -f6)"
        echo "created the user $name"
    fi
}
# People grade in their course's grader, not in their own server, whose
# formgrader would show an empty course of its own (jupyterhub_config.py turns
# that server extension off). Their JupyterLab hides its Formgrader and Create
# Assignment tools too, unless they have chosen their own page settings.
hide_grading_tools() {
    local home
    home=$(getent passwd "$1" | cut -d: -f6)
    [ -d "$home" ] && [ ! -e "$home/.jupyter/labconfig/page_config.json" ] || return 0
    mkdir -p "$home/.jupyter/labconfig"
    cat > "$home/.jupyter/labconfig/page_config.json" <<'JSON'
{
  "disabledExtensions": {
    "@jupyter/nbgrader:formgrader": true,
    "@jupyter/nbgrader:create-assignment": true
  }
}
JSON
    chown -R "$1:" "$home/.jupyter"
}
trim() { sed 's/^[[:space:]]*//; s/[[:space:]]*$//' <<< "$1"; }
courses=()
while IFS=, read -r name role course rest || [ -n "$name" ]; do
    name=$(trim "$name"); role=$(trim "$role"); course=$(trim "$course")
    case "$name" in ''|'#'*|user) continue ;; esac
    [ -z "$rest" ] || die "$ROSTER: '$name,$role,$course,$rest' has more than three fields (user,role,course)"
    [[ "$name" =~ ^[a-z_][a-z0-9_-]*$ ]] || die "$ROSTER: '$name' is not a valid Unix user name"
    [[ "$course" =~ ^[A-Za-z0-9_.]+(-[A-Za-z0-9_.]+)*$ ]] || die "$ROSTER: '$course' is not a course id (letters, digits, _ . -)"
    case "$role" in
        student) group=nbgrader-$course ;;
        instructor) group=formgrade-$course ;;
        *) die "$ROSTER: the role of $name is '$role'; write student or instructor" ;;
    esac
    if [[ ! " ${courses[*]-} " =~ " $course " ]]; then
        courses+=("$course")
        groupadd -f "nbgrader-$course"
        groupadd -f "formgrade-$course"
        make_user "grader-$course"
    fi
    make_user "$name"
    gpasswd --add "$name" "$group" >/dev/null
    hide_grading_tools "$name"
done < "$ROSTER"
[ ${#courses[@]} -gt 0 ] || die "$ROSTER names no one"

# ---- 3. the exchange ----
mkdir -p "$EXCHANGE"
chmod 1777 "$EXCHANGE"

# ---- 4. the virtual environment and the nbgrader configuration all share ----
VENV=$PREFIX/venv
mkdir -p "$PREFIX"
chmod 0755 "$PREFIX"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
# PyTorch first and pinned, so that pip does not fetch a multi-GB CUDA build.
if ! "$VENV/bin/python" -c "import torch" >/dev/null 2>&1; then
    "$VENV/bin/python" -m pip install --quiet "torch==$TORCH_VERSION" ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
fi
# From a copy, so that building the package leaves nothing in the checkout.
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
tar -C "$REPO" --exclude=.git --exclude=.venv --exclude='*.egg-info' --exclude=build \
    --exclude=tests --exclude=course --exclude=submitted --exclude=autograded --exclude=feedback \
    -cf - . | tar -C "$build" -xf -
"$VENV/bin/python" -m pip install --quiet "$build[course,torch,hub]"
# JupyterLab's defaults for the course (no news prompt), as course.sh sets them.
"$VENV/bin/python" "$REPO/binder/install-lab-settings" --prefix "$VENV" >/dev/null
mkdir -p "$VENV/etc/jupyter"
sed "s|@EXCHANGE@|$EXCHANGE|" "$HERE/nbgrader_config.global.py" > "$VENV/etc/jupyter/nbgrader_config.py"
chmod -R a+rX "$VENV"

# ---- 5. the proxy ----
mkdir -p "$PREFIX/proxy"
cp "$HERE/proxy/package.json" "$HERE/proxy/package-lock.json" "$PREFIX/proxy/"
(cd "$PREFIX/proxy" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)
chmod -R a+rX "$PREFIX/proxy"

# The hub's database and cookie secret: root's only.
mkdir -p "$PREFIX/hub"
chmod 0700 "$PREFIX/hub"

# ---- 6. each grader's course folder ----
for course in "${courses[@]}"; do
    grader=grader-$course
    home=$(getent passwd "$grader" | cut -d: -f6)
    folder=$home/$course
    mkdir -p "$folder" "$home/.jupyter"
    # The instructor notebooks are refreshed; the gradebook, submissions and
    # feedback already there are kept.
    cp -r "$REPO/solutions" "$folder/"
    { cat "$REPO/nbgrader_config.py"
      echo
      echo "# ---- added by deploy/jupyterhub/setup.sh ----"
      echo "c.CourseDirectory.course_id = \"$course\""
    } > "$folder/nbgrader_config.py"
    sed "s|@COURSE_ROOT@|$folder|" "$HERE/nbgrader_config.grader.py" > "$home/.jupyter/nbgrader_config.py"
    chown -R "$grader:$grader" "$home"
    chmod 0700 "$home"
    echo "course $course: grader $grader, folder $folder"
done
echo "Done. Start the hub with:"
echo "  ANNCOURSE_HUB_PREFIX=$PREFIX ANNCOURSE_HUB_COURSES='${courses[*]}' \\"
echo "    $VENV/bin/jupyterhub -f $HERE/jupyterhub_config.py"
echo "(or install $HERE/jupyterhub.service with systemd)."
