#!/usr/bin/env python3
"""Runs a command, prints its wall time (best of N), peak resident memory (largest) and the
CPU time (user + system) of the fastest run. Dirty pages are synced before each run."""
import resource, subprocess, sys, time, os

def run(cmd, repeat):
    best, peak, cpu = None, 0, 0.0
    for _ in range(repeat):
        # Flush what earlier runs wrote first: the kernel's writeback of a previous run's
        # output would otherwise compete with this one for the CPUs.
        os.sync()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        elapsed = time.perf_counter() - start
        if best is None or elapsed < best:
            best, cpu = elapsed, usage.ru_utime + usage.ru_stime
        peak = max(peak, usage.ru_maxrss)
        if os.waitstatus_to_exitcode(status) not in (0,):
            print(f"command failed: {' '.join(cmd)}", file=sys.stderr)
    return best, peak / 1024.0, cpu

if __name__ == "__main__":
    repeat = int(sys.argv[1])
    seconds, mb, cpu = run(sys.argv[2:], repeat)
    print(f"{seconds:.3f} {mb:.1f} {cpu:.3f}")
