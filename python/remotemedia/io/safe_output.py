"""Output files written whole or not at all (as rmrun's
plugins/common/safe_output.c): a temporary beside the target, renamed over
it at the end; a failed run removes the temporary and leaves the target as
it was. A symlink is followed (the link stays); a FIFO or device is no file
to replace and is written through by the audio sink."""

from __future__ import annotations

import functools
import os
import stat
import tempfile

#: rmrun removes the temporaries of dead processes (by this prefix and the pid) from --out.
TEMP_PREFIX = ".rmtmp-"


def final_target(target: str) -> str:
    """Where an output really goes: a symlink is followed to its target;
    only a regular file (or nothing) there is ever replaced."""
    real = os.path.realpath(target) if os.path.islink(target) else target
    if os.path.lexists(real) and not stat.S_ISREG(os.lstat(real).st_mode):
        raise OSError(f"cannot write '{target}': it is not a regular file (the pure-Python batch writes regular "
                      f"files; it is left untouched)")
    return real


def is_special(target: str) -> bool:
    """A FIFO, device or socket at ``target`` (through a symlink): written
    through, never replaced."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def temp_next_to(target: str) -> str:
    """A new empty file beside ``target`` with an unpredictable name,
    created O_EXCL (a planted file or symlink is never followed)."""
    fd, temp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix="." + os.path.basename(target)[:200],
                                dir=os.path.dirname(target) or ".")
    os.fchmod(fd, 0o666 & ~_umask())
    os.close(fd)
    return temp


def seen(paths: list[str]) -> dict[str, object]:
    """Each path's file as it is now (device, inode, modification time;
    None: nothing there), to tell later which a run wrote."""
    def one(path: str) -> object:
        try:
            st = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return object()  # a FIFO or a device is written through: always "written" when there
        return (st.st_dev, st.st_ino, st.st_mtime_ns)
    return {path: one(path) for path in paths}


def written_since(before: dict[str, object]) -> list[str]:
    """The paths of `before` (from :func:`seen`) whose file is new (another
    inode: outputs are renamed into place) or was written to since: what a
    run wrote, not a file an earlier run left where it wrote nothing (a
    sink that got no audio), as rmrun's report's "written"."""
    now = seen(list(before))
    return [path for path, was in before.items() if now[path] is not None and now[path] != was]

