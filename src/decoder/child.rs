//! The decode worker process: `barcoded --decode-worker MEMORY_MIB`, started by the pool
//! (`decoder/mod.rs`), never by hand. It limits its own memory (`RLIMIT_DATA`: a runaway
//! allocation fails inside the worker), lowers its priority below the serving cores, and
//! answers requests from stdin on stdout one at a time until stdin closes — which is also
//! how it ends with the server, whichever way the server ends (no `PR_SET_PDEATHSIG`: it
//! fires when the spawning *thread* ends, not the process). A panic (aborting at once),
//! an abort or a signal ends the process; the pool sees its pipe close.

use super::wire;
use crate::reader;
use std::io::{BufReader, BufWriter};

/// The worker's nice value: below the event loops, as the decode threads were.
const NICE: i32 = 10;

/// The worker's main; `args` are those after `--decode-worker`.
pub fn main(args: &[String]) -> ! {
    let memory_mib: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(1024);
    // SAFETY: plain system calls on this process only.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, NICE);
        let bytes = memory_mib.saturating_mul(1024 * 1024);
        let lim = libc::rlimit { rlim_cur: bytes, rlim_max: bytes };
        libc::setrlimit(libc::RLIMIT_DATA, &lim);
    }
    // A panic ends the worker at once, with one line: no unwinding, no backtrace to
    // resolve (which takes seconds in a debug build) while the request waits.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("barcoded decode worker: {info}");
        std::process::abort();
    }));
    let mut input = BufReader::new(std::io::stdin().lock());
    let mut output = BufWriter::new(std::io::stdout().lock());
    // The image is at most the largest decode body the server accepts, which the server
    // checked; this bound only stops a garbled frame.
    let max = usize::try_from(memory_mib.saturating_mul(1024 * 1024) / 4).unwrap_or(usize::MAX);
    loop {
        let request = match wire::read_request(&mut input, max) {
            Ok(Some(r)) => r,
            Ok(None) => std::process::exit(0),
            Err(e) => {
                eprintln!("barcoded decode worker: {e}");
                std::process::exit(3);
            }
        };
        crate::fault::in_decode_worker(request.fault);
        let answer = reader::read_image(&request.image, &request.limits, &request.ask);
        if wire::write_answer(&mut output, &answer).is_err() {
            std::process::exit(0);
        }
    }
}
