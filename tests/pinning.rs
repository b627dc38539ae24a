//! Worker pinning keeps to the CPUs the process was given: started under a one-CPU
//! affinity mask (as `taskset -c N` does), the core thread pins itself to that CPU, not to
//! CPU 0 where the operator may run something else (a load generator, say).

mod common;

/// The CPUs the calling thread may run on.
fn mask() -> Vec<usize> {
    barcoded::cpus::allowed()
}

fn set_mask(cpu: usize) {
    // SAFETY: a zeroed cpu_set_t with one bit set, applied to the calling thread.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        assert_eq!(libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set), 0);
    }
}

/// `Cpus_allowed_list` of every thread of this process with the given name.
fn threads_named(name: &str) -> Vec<String> {
    let mut found = Vec::new();
    for t in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let comm = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
        if comm.trim() == name {
            let status = std::fs::read_to_string(t.path().join("status")).unwrap();
            let line = status.lines().find(|l| l.starts_with("Cpus_allowed_list:")).unwrap();
            found.push(line.split_once(':').unwrap().1.trim().to_string());
        }
    }
    found
}

#[test]
fn workers_pin_to_the_cpus_they_were_given() {
    let last = *mask().last().unwrap();
    set_mask(last);
    let server = common::start(|c| c.pin = true);
    // The worker is up (start returns once every core serves) and has pinned itself.
    assert_eq!(common::get(server.local_addr(), "/healthz").status, 200);
    // Every thread by that name: an io_uring worker the kernel is just starting carries its
    // parent's name for a moment (it renames itself to iou-wrk-N once running), and with
    // it the parent's mask, so it may be seen here too.
    let found = threads_named("barcoded-core-0");
    assert!(!found.is_empty(), "no core thread");
    assert!(found.iter().all(|m| *m == last.to_string()), "{found:?}, want {last}");
    server.shutdown();
}
