#!/usr/bin/env bash
# Shows that `validate` time and memory grow linearly with the input (issue #16): the
# same environment with 1k to 16k extra tags (string values: refused by the tag-count
# rule before anything renders; integer values: one schema error each), and with 2k to
# 8k unknown fields holding
# credential-shaped values (schema errors + secret redaction), each run under
# /usr/bin/time -v. No timing is asserted anywhere; this prints the figures.
#
#   cargo build --release && benches/validate_scaling.sh [path/to/matbakh-infra]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/target/release/matbakh-infra}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/examples" "$work/examples"
mkdir -p "$work/stacks"
printf '%-28s %10s %12s\n' case seconds max_rss_kb
run() {
    local name=$1
    /usr/bin/time -v "$bin" validate "$work/stacks/dev.yaml" >/dev/null 2>"$work/time.txt" || true
    local secs rss
    secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    printf '%-28s %10s %12s\n' "$name" "$secs" "$rss"
}
for kind in string integer; do
    for n in 1000 2000 4000 8000 16000; do
        python3 - "$root/stacks/dev.yaml" "$work/stacks/dev.yaml" "$n" "$kind" <<'PY'
import re, sys
src, dst, n, kind = open(sys.argv[1]).read(), sys.argv[2], int(sys.argv[3]), sys.argv[4]
value = (lambda i: f"value{i}") if kind == "string" else (lambda i: str(i))
tags = "tags:\n" + "".join(f"  key{i}: {value(i)}\n" for i in range(n))
open(dst, "w").write(re.sub(r"^tags:\n(  .*\n)*", tags, src, flags=re.M))
PY
        run "$n $kind tags"
    done
done
for n in 2000 4000 8000; do
    python3 - "$root/stacks/dev.yaml" "$work/stacks/dev.yaml" "$n" <<'PY'
import sys
src, dst, n = open(sys.argv[1]).read(), sys.argv[2], int(sys.argv[3])
extra = "".join("  k%d: AKIA%016d\n" % (i, i) for i in range(n))
open(dst, "w").write(src.replace("network:\n", "network:\n" + extra, 1))
PY
    run "$n secret unknown fields"
done
