#!/usr/bin/env python3
"""Fails when an #include points upward: from a folder to one it may not use.

Which folder may use which is read from CMakeLists.txt, where each library folder is declared
as `twinflow_library(FOLDER DEPENDENCIES...)`; a dependency on twinflow_a_b means the folder
a/b, and everything that folder may use in turn. The command line, the drawings and the Python
package's module are not declared that way and are listed below. Tests, benchmarks and the
programs' main files sit on top and may include anything.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Folders outside the twinflow_library table, with what they may include directly.
EXTRA = {
    "tools/viz": ["runtime/train"],
    "tools/cli": ["tools/viz", "runtime/train", "runtime/exchange"],
    "python/bindings": ["tools/cli", "runtime/train"],
}


def declared_folders():
    cmake = (ROOT / "CMakeLists.txt").read_text()
    table = {}
    for folder, deps in re.findall(r"^twinflow_library\(([\w/]+)([^)]*)\)", cmake, re.M):
        names = re.findall(r"\btwinflow_(\w+)", deps)
        table[folder] = names
    # twinflow_graph and twinflow_runtime are the umbrella targets: their last folder.
    umbrella = {
        name: target
        for name, target in re.findall(
            r"target_link_libraries\(twinflow_(\w+) INTERFACE twinflow_(\w+)\)", cmake)
    }
    by_target = {folder.replace("/", "_"): folder for folder in table}
    direct = {}
    for folder, names in table.items():
        direct[folder] = [by_target[umbrella.get(n, n)] for n in names
                          if umbrella.get(n, n) in by_target]
    direct.update(EXTRA)
    return direct


def closure(direct):
    allowed = {}

    def walk(folder, seen):
        for dep in direct.get(folder, []):
            if dep not in seen:
                seen.add(dep)
                walk(dep, seen)
        return seen

    for folder in direct:
        allowed[folder] = walk(folder, {folder})
    return allowed


def folder_of(path, folders):
    """The declared folder a file belongs to: the deepest one holding it. A subfolder that is
    not declared itself (runtime/dist/mpi/, built only with MPI) belongs to its parent."""
    best = None
    for folder in folders:
        if path.startswith(folder + "/") and (best is None or len(folder) > len(best)):
            best = folder
    return best


def main():
    direct = declared_folders()
    allowed = closure(direct)
    folders = sorted(direct)
    include = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
    problems = []
    checked = 0
    for folder in folders:
        for source in sorted((ROOT / folder).rglob("*")):
            if source.suffix not in (".h", ".cc"):
                continue
            if folder_of(str(source.relative_to(ROOT)), folders) != folder:
                continue
            checked += 1
            for number, line in enumerate(source.read_text().splitlines(), 1):
                match = include.match(line)
                if not match:
                    continue
                target = folder_of(match.group(1), folders)
                if target is None and "/" in match.group(1):
                    top = match.group(1).split("/")[0]
                    if (ROOT / top).is_dir() and match.group(1).endswith(".h"):
                        problems.append(f"{source.relative_to(ROOT)}:{number}: includes "
                                        f"'{match.group(1)}', which is in no declared folder")
                    continue
                if target is not None and target not in allowed[folder]:
                    problems.append(
                        f"{source.relative_to(ROOT)}:{number}: {folder}/ may not include "
                        f"'{match.group(1)}' ({target}/ is not below it; {folder}/ may use "
                        f"{', '.join(sorted(allowed[folder] - {folder})) or 'nothing'})")
    print("include directions:")
    for folder in folders:
        below = sorted(direct[folder])
        print(f"  {folder:<15} -> {', '.join(below) if below else '(nothing)'}")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{checked} files checked, {len(problems)} upward includes")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
