//! Thread placement: the CPUs workers are pinned to — the ones the process was started on
//! (its affinity mask, e.g. `taskset -c 1`), in order, never simply 0..n, which would pin a
//! worker onto a CPU the operator kept for something else — and the lower priority of the
//! render and decode threads.

/// The CPUs the calling thread may run on, ascending; falls back to `0..n` (n = available
/// parallelism) if the mask cannot be read.
pub fn allowed() -> Vec<usize> {
    // SAFETY: `set` is a plain bitmask the kernel fills for the calling thread (pid 0);
    // CPU_ISSET only reads it, at indices below CPU_SETSIZE.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) == 0 {
            let cpus: Vec<usize> = (0..libc::CPU_SETSIZE as usize).filter(|&c| libc::CPU_ISSET(c, &set)).collect();
            if !cpus.is_empty() {
                return cpus;
            }
        }
    }
    (0..std::thread::available_parallelism().map_or(1, |n| n.get())).collect()
}

/// Sets the calling thread's nice value (per thread on Linux): the render and decode
/// threads run below the event loops, so the kernel preempts them when a request arrives.
pub fn renice(nice: i32) {
    // SAFETY: gettid has no preconditions; setpriority on our own thread id only.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, nice);
    }
}

/// The CPU worker `index` is pinned to: the allowed CPUs in turn.
pub fn for_worker(allowed: &[usize], index: usize) -> usize {
    match allowed.len() {
        0 => index,
        n => allowed[index % n],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_agrees_with_available_parallelism() {
        let cpus = allowed();
        assert_eq!(cpus.len(), std::thread::available_parallelism().unwrap().get());
        assert!(cpus.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn workers_take_the_allowed_cpus_in_turn() {
        assert_eq!(for_worker(&[1], 0), 1);
        assert_eq!(for_worker(&[1], 3), 1);
        assert_eq!(for_worker(&[2, 5, 7], 4), 5);
        assert_eq!(for_worker(&[], 3), 3);
    }
}
