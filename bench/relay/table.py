#!/usr/bin/python3
"""Turns bench.py's JSON lines into the Markdown table of docs/benchmarks.md."""
import json
import sys

COLUMNS = [
    ("relay", "relay"),
    ("subscribers", "N"),
    ("cpu_ms_per_s_per_subscriber", "CPU ms/s per subscriber"),
    ("cpu_ms_per_s_per_subscriber_marginal", "CPU ms/s per subscriber above the publisher alone"),
    ("cpu_ms_per_s", "CPU ms/s total"),
    ("cpu_ms_per_s_publisher_only", "CPU ms/s, publisher only"),
    ("rss_kib_per_subscriber", "RSS KiB per subscriber"),
    ("threads_per_subscriber", "threads per subscriber"),
    ("packets_forwarded_per_s", "packets forwarded/s"),
    ("loss_median", "loss median"),
    ("loss_max", "loss max"),
    ("first_keyframe_ms_median", "join to keyframe ms, median"),
    ("first_keyframe_ms_max", "join to keyframe ms, max"),
    ("load_average", "load average before, after"),
]


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    print("| " + " | ".join(title for _, title in COLUMNS) + " |")
    print("|" + " --- |" * len(COLUMNS))
    for row in sorted(rows, key=lambda r: (r["subscribers"], r["relay"])):
        print("| " + " | ".join(str(row.get(key)) for key, _ in COLUMNS) + " |")


if __name__ == "__main__":
    main()
