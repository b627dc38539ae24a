//! Listening sockets made with socket2 (SO_REUSEADDR, SO_REUSEPORT, TCP_NODELAY, backlog)
//! and the start-up raise of the open-file limit.

use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::{SocketAddr, TcpListener};

/// Binds one non-blocking listener that shares its port with the other cores'.
pub fn bind(addr: SocketAddr, backlog: u32) -> io::Result<TcpListener> {
    bind_with(addr, backlog, true)
}

/// Binds the admin listener: one socket, no `SO_REUSEPORT`, so a second process asking
/// for the same port fails instead of silently sharing it.
pub fn bind_admin(addr: SocketAddr) -> io::Result<TcpListener> {
    bind_with(addr, 128, false)
}

fn bind_with(addr: SocketAddr, backlog: u32, reuse_port: bool) -> io::Result<TcpListener> {
    let s = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    s.set_reuse_address(true)?;
    s.set_reuse_port(reuse_port)?;
    s.set_nodelay(true)?;
    s.set_nonblocking(true)?;
    s.bind(&addr.into())?;
    s.listen(backlog.min(i32::MAX as u32) as i32)?;
    Ok(s.into())
}

/// Raises the soft RLIMIT_NOFILE to the hard limit (as nginx and Go do), logging when the
/// result is still low for a server expected to hold thousands of connections.
pub fn raise_nofile_limit() {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return;
        }
        if lim.rlim_cur < lim.rlim_max {
            let want = libc::rlimit { rlim_cur: lim.rlim_max, rlim_max: lim.rlim_max };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &want) == 0 {
                lim = want;
            }
        }
    }
    if lim.rlim_cur < 16384 {
        eprintln!("barcoded: open-file limit is {} (raise the hard limit for many connections)", lim.rlim_cur);
    }
}
