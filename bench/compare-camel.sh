#!/usr/bin/env bash
# Normalizer throughput: rasid (match and display level, offset map built) against
# CAMeL Tools' standard chain (normalize_unicode, dediac_ar, normalize_alef_ar,
# normalize_alef_maksura_ar, normalize_teh_marbuta_ar), single thread, on the same lines:
# every `text` field of ../shared/data/news/saudinewsnet.part*.jsonl.gz (~96 MB).
#
# Usage: bench/compare-camel.sh [CORPUS_DIR]
# Builds release, installs camel-tools (without its model dependencies, which the
# normalization utilities do not use) into a throw-away virtualenv, and prints MB/s for
# each and the ratio. Both sides time only the normalization, in memory.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus_dir=${1:-$here/../shared/data/news}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== corpus"
python3 - "$corpus_dir" "$work/corpus.txt" <<'PY'
import glob, gzip, json, sys
src, dst = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(src + "/saudinewsnet.part*.jsonl.gz"))
if not files:
    sys.exit(f"no saudinewsnet.part*.jsonl.gz under {src}")
n = 0
with open(dst, "w", encoding="utf-8") as out:
    for f in files:
        for line in gzip.open(f, "rt", encoding="utf-8"):
            out.write(json.loads(line)["text"].rstrip("\n") + "\n")
            n += 1
print(f"{n} articles")
PY
ls -l "$work/corpus.txt" | awk '{printf "%.1f MB\n", $5/1e6}'

echo "== rasid"
(cd "$here" && cargo build --release -q -p rasid-text --example throughput)
r_match=$("$here/target/release/examples/throughput" "$work/corpus.txt" match)
r_display=$("$here/target/release/examples/throughput" "$work/corpus.txt" display)
echo "$r_match"
echo "$r_display"

echo "== camel-tools"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --no-deps camel-tools emoji six
c=$("$work/venv/bin/python" "$here/bench/camel_chain.py" "$work/corpus.txt")
echo "$c"

mbps() { sed -E 's/.*= ([0-9.]+) MB\/s.*/\1/'; }
rm_=$(echo "$r_match" | mbps)
rd_=$(echo "$r_display" | mbps)
c_=$(echo "$c" | mbps)
echo "== ratio"
python3 -c "print(f'match level:   {float(\"$rm_\")/float(\"$c_\"):.1f}x camel-tools'); print(f'display level: {float(\"$rd_\")/float(\"$c_\"):.1f}x camel-tools')"
