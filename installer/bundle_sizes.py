"""What each part of the one-folder bundle weighs on disk, largest first.

    python installer/bundle_sizes.py [dist/workstation] [--files 20] [--json sizes.json]

A "part" is a top-level folder of the bundle's ``_internal`` (a Python package such as
``vtkmodules`` or ``PySide6``, or a ``*.libs`` folder of a wheel's vendored libraries); the files
lying directly in ``_internal`` are grouped by what they are (the Python runtime, the frozen
archive, the system libraries PyInstaller copied in). ``--files N`` also lists the N largest files.
Sizes are apparent sizes in MB (10^6 bytes), as ``du --apparent-size`` would count them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

MB = 1e6


def _root_group(name: str) -> str:
    """The part a file lying directly in ``_internal`` belongs to."""
    if name.startswith("libpython") or name == "base_library.zip" or name.startswith("lib-dynload"):
        return "(python runtime)"
    if name.endswith((".pyz", ".pkg")) or name == "PYZ.pyz":
        return "(frozen archive)"
    if ".so" in name or name.endswith(".dll"):
        return "(system libraries)"
    return "(other files at the top)"


def part_sizes(bundle: Path) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """Bytes per part and every file's size (bytes, path relative to the bundle)."""
    internal = bundle / "_internal"
    if not internal.is_dir():  # PyInstaller < 6 put everything next to the executable
        internal = bundle
    parts: dict[str, int] = {}
    files: list[tuple[int, str]] = []
    for dirpath, _dirs, names in os.walk(bundle):
        for n in names:
            p = Path(dirpath) / n
            if p.is_symlink():
                continue
            size = p.stat().st_size
            files.append((size, str(p.relative_to(bundle))))
            try:
                rel = p.relative_to(internal)
            except ValueError:  # the executables and scripts next to _internal
                part = "(executables)"
            else:
                part = rel.parts[0] if len(rel.parts) > 1 else _root_group(rel.name)
            parts[part] = parts.get(part, 0) + size
    return parts, sorted(files, reverse=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle", nargs="?", default="dist/workstation", help="the bundle folder")
    ap.add_argument("--files", type=int, default=0, metavar="N", help="also list the N largest files")
    ap.add_argument("--min-mb", type=float, default=0.5, help="parts smaller than this are summed in one row")
    ap.add_argument("--json", help="write {part: bytes} to this file")
    args = ap.parse_args(argv)
    bundle = Path(args.bundle)
    if not bundle.is_dir():
        print(f"error: {bundle} is not a folder (build it with `make bundle`)", file=sys.stderr)
        return 2
    parts, files = part_sizes(bundle)
    total = sum(parts.values())
    small = {k: v for k, v in parts.items() if v < args.min_mb * MB}
    print(f"{'part':<34}{'MB':>9}{'share':>8}")
    for name, size in sorted(parts.items(), key=lambda kv: -kv[1]):
        if name not in small:
            print(f"{name:<34}{size / MB:>9.1f}{size / total:>8.1%}")
    if small:
        s = sum(small.values())
        print(f"{f'({len(small)} parts < {args.min_mb} MB)':<34}{s / MB:>9.1f}{s / total:>8.1%}")
    print(f"{'TOTAL':<34}{total / MB:>9.1f}")
    if args.files:
        print(f"\nlargest {args.files} files:")
        for size, rel in files[: args.files]:
            print(f"{size / MB:>9.1f}  {rel}")
    if args.json:
        Path(args.json).write_text(json.dumps(dict(sorted(parts.items(), key=lambda kv: -kv[1])), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
