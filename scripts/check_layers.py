#!/usr/bin/env python3
"""The layering rules of the tree, checked from the code (part of scripts/lint.sh).

1. A file may include only headers of its own library and of the libraries its library links
   (directly or through them), as declared by `target_link_libraries` in the CMakeLists.txt
   files. An include the other way ("wrong-way include") fails.
2. The libraries' link graph has no cycle.
3. include/memsecret/ holds only what other code may use: each header there is included by at
   least one product file outside its own library; a header used only inside its library lives
   beside its sources.
4. docs/architecture.md's table of libraries says "a library only uses the ones listed above
   it": every library it lists comes after the libraries it links.

Which library a file belongs to: the sources a CMakeLists.txt lists in `add_library` /
`add_executable` (the executables' main.cc), else the library of the nearest folder above it
that defines one; include/memsecret/http/ belongs to memsecret_http, include/memsecret/plan/
to memsecret_plan, the rest of include/memsecret/ to memsecret_common. Only product code (common/, webhook/, injector/,
include/) is checked; tests may include anything.

Usage: scripts/check_layers.py [ROOT]   (exit 1 and one line per problem)
"""
import os
import re
import sys

PRODUCT_DIRS = ("common", "webhook", "injector", "include")
SOURCE_EXT = (".cc", ".h")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def cmake_calls(text, command):
    """Yields the argument lists of every `command(...)` call in a CMakeLists.txt."""
    text = re.sub(r"#[^\n]*", "", text)
    for m in re.finditer(r"\b%s\s*\(([^)]*)\)" % command, text):
        yield m.group(1).split()


def read_targets(root):
    """Returns (folder_of_lib, files_of_target, links) from every product CMakeLists.txt."""
    folder_lib, target_files, links = {}, {}, {}
    for top in PRODUCT_DIRS:
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            if "CMakeLists.txt" not in files:
                continue
            rel = os.path.relpath(dirpath, root)
            with open(os.path.join(dirpath, "CMakeLists.txt")) as f:
                text = f.read()
            for args in cmake_calls(text, "add_library"):
                name, srcs = args[0], [a for a in args[1:] if a.endswith(SOURCE_EXT)]
                folder_lib.setdefault(rel, name)
                target_files[name] = [os.path.normpath(os.path.join(rel, s)) for s in srcs]
            for args in cmake_calls(text, "add_executable"):
                name, srcs = args[0], [a for a in args[1:] if a.endswith(SOURCE_EXT)]
                target_files[name] = [os.path.normpath(os.path.join(rel, s)) for s in srcs]
            for args in cmake_calls(text, "target_link_libraries"):
                deps = {a for a in args[1:] if a.startswith("memsecret_")}
                links.setdefault(args[0], set()).update(deps)
    return folder_lib, target_files, links


def closure(links, name, seen=None):
    seen = set() if seen is None else seen
    for dep in links.get(name, ()):
        if dep not in seen:
            seen.add(dep)
            closure(links, dep, seen)
    return seen


def find_cycle(links):
    state = {}

    def visit(node, path):
        state[node] = "open"
        for dep in sorted(links.get(node, ())):
            if state.get(dep) == "open":
                return path + [node, dep]
            if dep not in state:
                found = visit(dep, path + [node])
                if found:
                    return found
        state[node] = "done"
        return None

    for node in sorted(links):
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


def check_documented_order(root, links):
    path = os.path.join(root, "docs", "architecture.md")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        listed = re.findall(r"^(?:\S+/\s+)+(memsecret_\w+):", f.read(), re.M)
    position = {name: i for i, name in enumerate(listed)}
    problems = []
    for name in listed:
        for dep in sorted(links.get(name, ())):
            if dep in position and position[dep] > position[name]:
                problems.append(f"docs/architecture.md lists {name} above {dep}, which it links")
    missing = sorted(n for n in links if n.startswith("memsecret_") and n not in position)
    for name in missing:
        problems.append(f"docs/architecture.md does not list the library {name}")
    return problems


def main(root):
    folder_lib, target_files, links = read_targets(root)
    owner = {}
    for name, files in target_files.items():
        for f in files:
            owner[f] = name

    def library_of(path):
        if path in owner:
            return owner[path]
        if path.startswith("include/memsecret/http/"):
            return "memsecret_http"
        if path.startswith("include/memsecret/plan/"):
            return "memsecret_plan"
        if path.startswith("include/memsecret/"):
            return "memsecret_common"
        folder = os.path.dirname(path)
        while folder:
            if folder in folder_lib:
                return folder_lib[folder]
            folder = os.path.dirname(folder)
        return None

    problems = []
    cycle = find_cycle(links)
    if cycle:
        problems.append("link cycle: " + " -> ".join(cycle))

    used_outside = set()
    for top in PRODUCT_DIRS:
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for fname in sorted(files):
                if not fname.endswith(SOURCE_EXT):
                    continue
                path = os.path.relpath(os.path.join(dirpath, fname), root)
                lib = library_of(path)
                if lib is None:
                    problems.append(f"{path}: belongs to no library (list it in a CMakeLists.txt)")
                    continue
                allowed = closure(links, lib) | {lib}
                with open(os.path.join(root, path), errors="replace") as f:
                    text = f.read()
                for inc in INCLUDE_RE.findall(text):
                    target = "include/" + inc if inc.startswith("memsecret/") else inc
                    if not os.path.exists(os.path.join(root, target)):
                        continue  # a system or third-party header
                    dep = library_of(target)
                    if dep is None:
                        continue
                    if dep != lib and target.startswith("include/"):
                        used_outside.add(target)
                    if dep not in allowed:
                        problems.append(
                            f"{path}: wrong-way include \"{inc}\": {lib} does not link {dep}")

    for dirpath, _, files in os.walk(os.path.join(root, "include")):
        for fname in sorted(files):
            path = os.path.relpath(os.path.join(dirpath, fname), root)
            if path.endswith(".h") and path not in used_outside:
                problems.append(f"{path}: used only inside {library_of(path)}; "
                                "include/ holds what other code may use: move it beside its sources")

    problems += check_documented_order(root, links)

    for p in problems:
        print("layers: " + p)
    if problems:
        print(f"layers: {len(problems)} problem(s)")
        return 1
    print(f"layers: {len(target_files)} targets, includes follow the link graph")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")))
