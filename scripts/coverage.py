#!/usr/bin/env python3
"""coverage.py: which lines the series adds ran, in the VMs.

  coverage.py files TREE
      The C files in drivers/ that the series changes, tests aside: the
      files whose added lines are counted (scripts/lib.sh profiles them).
  coverage.py collect TREE OUT.json GCOVLOG
      GCOVLOG is a VM's ttyS2 (guest/init's gcov_dump): the kernel's .gcda
      files, base64, each under the path of the object that wrote it, in a
      build directory of this host. Each is read with gcov against the
      .gcno beside that object; the line counts go to OUT.json.
  coverage.py report TREE UNREACHABLE OUT.json...
      The lines the series adds (git diff base series) to the C files in
      drivers/ that it changes, tests aside, which gcov says are executable
      in some kernel that ran: per file, how many ran. Fails when a file
      has no coverage data at all, when a line
      that did not run is not in UNREACHABLE, or when an entry of
      UNREACHABLE names no such line (the list stays true).

UNREACHABLE: "file | function | line text | why", one line each; the line
text is the source line with its indentation stripped.
"""
import base64
import collections
import json
import os
import re
import subprocess
import sys
import tempfile


def covered_files(tree):
    out = subprocess.run(
        ["git", "-C", tree, "diff", "--name-only", "--diff-filter=AM",
         "base", "series", "--", "drivers/*.c"],
        check=True, capture_output=True, text=True).stdout.split()
    return [f for f in out if "kunit" not in f and not f.endswith("_test.c")]


def added_lines(tree, path):
    """The line numbers, at the series' tip, of the lines it adds."""
    diff = subprocess.run(
        ["git", "-C", tree, "diff", "-U0", "base", "series", "--", path],
        check=True, capture_output=True, text=True).stdout
    lines, cur = set(), 0
    for line in diff.splitlines():
        m = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@", line)
        if m:
            cur = int(m.group(1))
        elif line.startswith("+") and not line.startswith("+++"):
            lines.add(cur)
            cur += 1
    return lines


def read_log(log, dest):
    """Write each .gcda of @log under @dest; return the objects' paths."""
    objs, name, data = [], None, []
    with open(log, errors="replace") as f:
        for raw in f:
            line = raw.strip()
            if line.startswith("gcda "):
                name, data = line[5:], []
            elif line == "end" and name:
                out = dest + name
                os.makedirs(os.path.dirname(out), exist_ok=True)
                with open(out, "wb") as g:
                    g.write(base64.b64decode("".join(data)))
                objs.append(name[:-len(".gcda")])
                name = None
            elif name:
                data.append(line)
    return objs


def gcov_counts(obj, dest, tree, counts, funcs):
    """Add the line counts of one object's .gcda to @counts."""
    gcno = obj + ".gcno"
    if not os.path.exists(gcno):
        return False
    local = dest + obj
    with open(gcno, "rb") as f, open(local + ".gcno", "wb") as g:
        g.write(f.read())
    res = subprocess.run(
        ["gcov", "--json-format", "--stdout", "-o", os.path.dirname(local),
         os.path.basename(local) + ".gcda"],
        cwd=os.path.dirname(local), capture_output=True, text=True)
    if res.returncode or "stamp mismatch" in res.stderr:
        sys.stderr.write(f"gcov {obj}: {res.stderr}")
        return False
    for text in res.stdout.splitlines():
        if not text.startswith("{"):
            continue
        doc = json.loads(text)
        cwd = doc.get("current_working_directory", "")
        for f in doc["files"]:
            path = os.path.relpath(os.path.normpath(
                os.path.join(cwd, f["file"])), tree)
            for ln in f["lines"]:
                key = (path, ln["line_number"])
                counts[key] += ln["count"]
                funcs.setdefault(key, ln.get("function_name", "?"))
    return True


def collect(tree, out, log):
    counts, funcs = collections.Counter(), {}
    with tempfile.TemporaryDirectory() as tmp:
        objs = read_log(log, tmp) if os.path.exists(log) else []
        read = sum(gcov_counts(o, tmp, tree, counts, funcs)
                   for o in objs)
    print(f"{os.path.basename(log)}: {len(objs)} .gcda files, {read} read")
    data = collections.defaultdict(dict)
    for (path, ln), func in funcs.items():
        data[path][ln] = [counts[(path, ln)], func]
    with open(out, "w") as f:
        json.dump(data, f)
    return 0 if read else 1


def report(tree, listing, runs):
    counts, funcs = collections.Counter(), {}
    ok = True
    for run in runs:
        if not os.path.exists(run):
            print(f"no coverage data {run}")
            ok = False
            continue
        with open(run) as f:
            for path, lines in json.load(f).items():
                for ln, (count, func) in lines.items():
                    counts[(path, int(ln))] += count
                    funcs.setdefault((path, int(ln)), func)

    unreachable = {}
    with open(listing) as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 4 or not all(parts):
                print(f"{listing}:{n}: not 'file | function | line | why'")
                ok = False
                continue
            unreachable[tuple(parts[:3])] = [parts[3], 0]

    total_lines = total_ran = 0
    missed = []
    for path in covered_files(tree):
        with open(os.path.join(tree, path)) as f:
            source = f.read().splitlines()
        lines = [ln for ln in sorted(added_lines(tree, path))
                 if (path, ln) in funcs]
        ran = [ln for ln in lines if counts[(path, ln)]]
        listed = 0
        for ln in lines:
            if counts[(path, ln)]:
                continue
            key = (path, funcs[(path, ln)], source[ln - 1].strip())
            if key in unreachable:
                unreachable[key][1] += 1
                listed += 1
            else:
                missed.append(f"{path}:{ln}: {funcs[(path, ln)]}: "
                              f"{source[ln - 1].strip()}")
        # A file the kernels ran may add no executable line (a table
        # entry, a union member); a file gcov never saw is not measured.
        measured = any(p == path for p, _ in funcs)
        if not measured:
            ok = False
        print(f"  {path:40} {len(ran):4} of {len(lines):4} added lines ran"
              + (f", {listed} listed unreachable" if listed else "")
              + ("" if measured else "  (no coverage data)"))
        total_lines += len(lines)
        total_ran += len(ran)
    print(f"  {'all':40} {total_ran:4} of {total_lines:4} added lines ran")

    if missed:
        ok = False
        print(f"{len(missed)} did not run, and are not listed in {listing}:")
        print("\n".join("  " + m for m in missed))
    for key, (why, used) in unreachable.items():
        if not used:
            ok = False
            print(f"listed but not an added line that did not run: "
                  f"{' | '.join(key)}")
    return 0 if ok and total_lines else 1


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "files":
        print("\n".join(covered_files(sys.argv[2])))
        return 0
    if len(sys.argv) == 5 and sys.argv[1] == "collect":
        return collect(*sys.argv[2:])
    if len(sys.argv) >= 5 and sys.argv[1] == "report":
        return report(sys.argv[2], sys.argv[3], sys.argv[4:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
