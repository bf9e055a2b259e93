"""CAMeL Tools' standard normalization chain over a text file, timed in memory.

Usage: python camel_chain.py FILE
Reads FILE, then applies, line by line: normalize_unicode, dediac_ar, normalize_alef_ar,
normalize_alef_maksura_ar, normalize_teh_marbuta_ar. Prints MB/s (best of 3 runs would
take minutes; one run is timed).
"""
import sys
import time

from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)


def main():
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    start = time.perf_counter()
    total = 0
    for line in lines:
        s = normalize_unicode(line)
        s = dediac_ar(s)
        s = normalize_alef_ar(s)
        s = normalize_alef_maksura_ar(s)
        s = normalize_teh_marbuta_ar(s)
        total += len(s)
    secs = time.perf_counter() - start
    mb = len(text.encode("utf-8")) / 1e6
    print(f"camel-tools chain: {mb:.1f} MB in {secs:.3f} s = {mb / secs:.1f} MB/s ({len(lines)} lines; checksum {total})")


if __name__ == "__main__":
    main()
