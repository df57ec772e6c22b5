#!/usr/bin/env python3
"""Runs a command, prints its wall time (best of N) and peak resident memory (largest)."""
import resource, subprocess, sys, time, os

def run(cmd, repeat):
    best, peak = None, 0
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
        peak = max(peak, usage.ru_maxrss)
        if os.waitstatus_to_exitcode(status) not in (0,):
            print(f"command failed: {' '.join(cmd)}", file=sys.stderr)
    return best, peak / 1024.0

if __name__ == "__main__":
    repeat = int(sys.argv[1])
    seconds, mb = run(sys.argv[2:], repeat)
    print(f"{seconds:.3f} {mb:.1f}")
