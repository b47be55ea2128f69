"""Reads `openssl speed rsa2048` output for the bench scripts, which all compare against it."""
import sys


def rsa2048(path, who):
    """(sign/s, verify/s) from the "rsa 2048 bits" line, e.g.
    "rsa 2048 bits 0.000244s 0.000016s   4096.7  61875.3"; exits naming `who` when there is none."""
    with open(path) as f:
        for line in f:
            fields = line.split()
            if fields[:3] == ["rsa", "2048", "bits"] and len(fields) >= 7:
                try:
                    return float(fields[5]), float(fields[6])
                except ValueError:
                    break
    sys.exit(f"{who}: no 'rsa 2048 bits' line in the openssl speed output ({path})")

