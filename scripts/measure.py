#!/usr/bin/env python3
"""Runs a command, prints its wall time (best of N), peak resident memory (largest) and the
CPU time (user + system) of the fastest run. Dirty pages are synced before each run.

    measure.py N [--fresh PATH] COMMAND...

--fresh removes PATH (the command's output file) before each run, outside the timing: every
run then writes a new file, as a user's first run does. Overwriting the previous run's output
would charge the command with the kernel's truncation of it (freeing hundreds of MB of page
cache) and with ext4's flush on close of a file replaced by truncation (auto_da_alloc)."""
import resource, subprocess, sys, time, os

def run(cmd, repeat, fresh=None):
    best, peak, cpu = None, 0, 0.0
    for _ in range(repeat):
        if fresh and os.path.exists(fresh):
            os.remove(fresh)
        # Flush what earlier runs wrote first: the kernel's writeback of a previous run's
        # output would otherwise compete with this one for the CPUs.
        os.sync()
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
    repeat, args, fresh = int(sys.argv[1]), sys.argv[2:], None
    if args[:1] == ["--fresh"]:
        fresh, args = args[1], args[2:]
    seconds, mb, cpu = run(args, repeat, fresh)
    print(f"{seconds:.3f} {mb:.1f} {cpu:.3f}")
