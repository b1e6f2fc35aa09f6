"""rmrun links no decoder: the length of a batch input comes from the node
type that reads it (remotemedia/media_duration.h), so no rmrun start —
`rmrun --version` included — loads libsndfile and its codec libraries.

    check_rmrun_needs.py RMRUN

Fails naming the library when rmrun's ELF NEEDED entries (readelf -d)
hold a decoder library.
"""

import subprocess
import sys

DECODERS = ("libsndfile", "libFLAC", "libvorbis", "libogg", "libopus", "libmpg123",
            "libmp3lame", "libavcodec", "libavformat")


def main() -> int:
    rmrun = sys.argv[1]
    out = subprocess.run(["readelf", "-d", rmrun], check=True, capture_output=True, text=True).stdout
    needed = [line.split("[", 1)[1].rstrip("]") for line in out.splitlines() if "(NEEDED)" in line]
    if not needed:
        print(f"{rmrun}: readelf -d shows no NEEDED entries; output:\n{out}")
        return 1
    bad = [lib for lib in needed if lib.startswith(DECODERS)]
    if bad:
        print(f"{rmrun} links decoder libraries {bad} (NEEDED: {needed}); a batch input's length "
              "comes from its source node type's media-duration extension")
        return 1
    print(f"{rmrun} NEEDED: {', '.join(needed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
