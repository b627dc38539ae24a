//! Handing the listening sockets to a successor, for restarts and upgrades that fail no
//! request.
//!
//! A running instance offers its listening sockets (every core's share of the public port
//! and the admin port) on an abstract Unix socket named after its public address. A new
//! instance started with the same flags connects there first; the old one sends it the
//! sockets themselves (`SCM_RIGHTS`), so both accept from the *same* accept queues. When
//! the old one is then stopped it merely stops accepting — no queue is closed, so no
//! connection waiting in one is reset (whatever `net.ipv4.tcp_migrate_req` says) — and the
//! admin port never refuses the new instance (it is the same socket, not a second bind).
//!
//! Sockets pass only between processes of the same user, checked on both sides
//! (`SO_PEERCRED`: whoever holds the name cannot hand us sockets either); a refused or
//! broken handover leaves the new instance binding its own sockets as it would alone. A
//! successor that dies before its predecessor was stopped hands the sockets back: the
//! predecessor, which never stopped accepting, offers them anew and drains their queues when
//! stopped, as an instance alone does. Pure socket plumbing: no HTTP, no server state beyond a flag set once handed over.

use nix::sys::socket::{self, ControlMessage, ControlMessageOwned, MsgFlags};
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr as UnixAddr, UnixListener, UnixStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The first word of an offer; a different version is refused, not guessed at.
const MAGIC: &str = "barcoded-handover/1";
/// Most sockets in one offer (the kernel takes at most 253 descriptors in one message).
pub const MAX_SOCKETS: usize = 250;
/// How long either side waits for the other before giving up.
const PATIENCE: Duration = Duration::from_secs(3);
/// How often an instance that handed its sockets over looks whether the successor lives.
const WATCH: Duration = Duration::from_millis(100);
/// How long a new instance tries to take over the offer's name from its predecessor.
const NAME_WAIT: Duration = Duration::from_secs(10);

/// The abstract socket name of the instance serving `public` (network-namespace local).
pub fn name(public: SocketAddr) -> String {
    format!("barcoded/handover/{public}")
}

/// Listening sockets taken from a predecessor.
pub struct Inherited {
    pub public: Vec<TcpListener>,
    /// The admin socket, when the predecessor had one on the address we were asked for.
    pub admin: Option<TcpListener>,
    /// The predecessor's process id (for the log).
    pub from_pid: u32,
}

/// Why a handover offered to us was not taken (the instance then binds its own sockets).
#[derive(Debug)]
pub enum TakeError {
    Io(io::Error),
    /// The offer did not follow the protocol (another version, a count that does not match).
    Protocol(String),
    /// A socket given is not a listener on the address asked for.
    WrongSocket(String),
}

impl std::fmt::Display for TakeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TakeError::Io(e) => write!(f, "{e}"),
            TakeError::Protocol(m) => write!(f, "unexpected offer: {m}"),
            TakeError::WrongSocket(m) => write!(f, "a socket offered is not ours to take: {m}"),
        }
    }
}

impl From<io::Error> for TakeError {
    fn from(e: io::Error) -> Self {
        TakeError::Io(e)
    }
}

impl From<nix::Error> for TakeError {
    fn from(e: nix::Error) -> Self {
        TakeError::Io(io::Error::from(e))
    }
}

/// Takes the listening sockets of the instance already serving `public`, if there is one:
/// `Ok(None)` when none is (or `public` has no fixed port, so there is nothing to share).
/// The admin socket is kept only when it listens on `admin`.
pub fn take(public: SocketAddr, admin: Option<SocketAddr>) -> Result<Option<Inherited>, TakeError> {
    if public.port() == 0 {
        return Ok(None);
    }
    let addr = UnixAddr::from_abstract_name(name(public))?;
    let mut stream = match UnixStream::connect_addr(&addr) {
        Ok(s) => s,
        Err(e) if matches!(e.kind(), io::ErrorKind::ConnectionRefused | io::ErrorKind::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    stream.set_read_timeout(Some(PATIENCE))?;
    stream.set_write_timeout(Some(PATIENCE))?;
    // Sockets only from a process of our own user, whoever holds the name.
    same_user(&stream)?;
    let (header, fds) = receive(&stream)?;
    let offer = Offer::parse(&header).ok_or_else(|| TakeError::Protocol(header.clone()))?;
    if fds.len() != offer.public + usize::from(offer.admin) {
        return Err(TakeError::Protocol(format!("{} sockets for {header:?}", fds.len())));
    }
    let mut listeners = fds.into_iter().map(TcpListener::from);
    let public_sockets: Vec<TcpListener> = listeners.by_ref().take(offer.public).collect();
    for l in &public_sockets {
        check(l, public)?;
    }
    // An admin socket on another address than ours is closed here (the predecessor keeps
    // its own descriptor until it exits); we bind ours.
    let admin_socket = listeners.next().filter(|l| admin.is_some_and(|a| check(l, a).is_ok()));
    stream.write_all(b"ok\n")?;
    Ok(Some(Inherited { public: public_sockets, admin: admin_socket, from_pid: offer.pid }))
}

/// A listener accepting on `want` (any port when `want`'s is 0), or why not.
fn check(l: &TcpListener, want: SocketAddr) -> Result<(), TakeError> {
    let sock = socket2::SockRef::from(l);
    let listening = sock.is_listener().unwrap_or(false);
    let at = l.local_addr()?;
    // Port 0 asks for any port: the socket on that address given any port is ours.
    let same = if want.port() == 0 { at.ip() == want.ip() } else { at == want };
    if !listening || !same {
        return Err(TakeError::WrongSocket(format!("{at} (listening: {listening}), expected {want}")));
    }
    Ok(())
}

/// One message: the header line and the descriptors that came with it.
fn receive(stream: &UnixStream) -> Result<(String, Vec<OwnedFd>), TakeError> {
    let mut buf = [0u8; 256];
    let mut space = nix::cmsg_space!([RawFd; MAX_SOCKETS + 1]);
    let mut iov = [IoSliceMut::new(&mut buf)];
    let msg = socket::recvmsg::<()>(stream.as_raw_fd(), &mut iov, Some(&mut space), MsgFlags::MSG_CMSG_CLOEXEC)?;
    let mut fds = Vec::new();
    for c in msg.cmsgs() {
        if let ControlMessageOwned::ScmRights(raw) = c {
            // SAFETY: the kernel just installed these descriptors in this process for us;
            // nothing else owns them.
            fds.extend(raw.into_iter().map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }));
        }
    }
    let truncated = msg.flags.intersects(MsgFlags::MSG_CTRUNC | MsgFlags::MSG_TRUNC);
    let n = msg.bytes;
    if truncated {
        return Err(TakeError::Protocol("the message was truncated".into()));
    }
    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
    Ok((text, fds))
}

/// The header of an offer: `barcoded-handover/1 pid=P public=N admin=0|1`.
#[derive(Debug, PartialEq)]
struct Offer {
    pid: u32,
    public: usize,
    admin: bool,
}

impl Offer {
    fn line(&self) -> String {
        format!("{MAGIC} pid={} public={} admin={}\n", self.pid, self.public, u8::from(self.admin))
    }

    fn parse(line: &str) -> Option<Offer> {
        let mut words = line.strip_suffix('\n')?.split(' ');
        if words.next()? != MAGIC {
            return None;
        }
        let mut field = |key: &str| words.next()?.strip_prefix(key)?.strip_prefix('=')?.parse::<u32>().ok();
        let pid = field("pid")?;
        let public = field("public")? as usize;
        let admin = match field("admin")? {
            0 => false,
            1 => true,
            _ => return None,
        };
        (public >= 1 && public + usize::from(admin) <= MAX_SOCKETS).then_some(Offer { pid, public, admin })
    }
}

/// What an instance offers its successor: duplicates of its listening sockets.
pub struct Offered {
    pub public: Vec<OwnedFd>,
    pub admin: Option<OwnedFd>,
}

/// What an offer tells and asks of the rest of the server.
pub struct Hooks {
    /// Set once a successor took the sockets.
    pub handed: Arc<AtomicBool>,
    /// The server is stopping: offer no more.
    pub stop: Arc<AtomicBool>,
    /// Run just before the sockets are sent (the hot file is written for the successor).
    pub before: Box<dyn Fn() + Send>,
}

/// Offers `sockets` to a successor on `name(public)` from a thread of its own, until one
/// takes them (then `hooks.handed` is set and the name is freed for the successor's own
/// offer) or `hooks.stop` is set. A predecessor still holding the name is waited for a while.
/// Should the successor exit while we still run, `hooks.handed` is cleared and the sockets
/// are offered again (to the next successor).
pub fn offer(public: SocketAddr, sockets: Offered, hooks: Hooks) {
    let Hooks { handed, stop, before } = hooks;
    if public.port() == 0 || sockets.public.is_empty() || sockets.public.len() + 1 > MAX_SOCKETS {
        return;
    }
    let spawned = std::thread::Builder::new().name("barcoded-handover".into()).spawn(move || {
        // A successor that dies (before we were stopped) hands the sockets back: we offer
        // them again, and stopping drains their queues again as an instance alone does.
        while let Some(pid) = offer_once(public, &sockets, &stop, &before) {
            handed.store(true, Ordering::SeqCst);
            eprintln!("barcoded: handed the listening sockets to pid {pid}; stop this one with SIGTERM");
            while alive(pid) {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                std::thread::sleep(WATCH);
            }
            handed.store(false, Ordering::SeqCst);
            eprintln!(
                "barcoded: successor pid {pid} exited: the listening sockets are ours alone again; offering them anew"
            );
        }
    });
    if let Err(e) = spawned {
        eprintln!("barcoded: cannot start the handover thread: {e}");
    }
}

/// Offers the sockets on the name until a successor takes them (its pid) or `stop`.
fn offer_once(public: SocketAddr, sockets: &Offered, stop: &AtomicBool, before: &dyn Fn()) -> Option<u32> {
    let listener = match bind_name(public, stop) {
        Ok(Some(l)) => l,
        Ok(None) => return None,
        Err(e) => {
            eprintln!("barcoded: cannot offer the listening sockets to a successor ({e}); a restart on this port will bind anew");
            return None;
        }
    };
    while !stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((s, _)) => match give(&s, sockets, before) {
                Ok(pid) => return Some(pid),
                Err(e) => eprintln!("barcoded: a handover was not completed: {e}"),
            },
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    None
}

/// Whether process `pid` still runs (a zombie, exited but not yet reaped, does not).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name in parentheses (which may hold spaces).
        Ok(stat) => stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with(['Z', 'X'])),
        Err(_) => false,
    }
}

/// Binds the offer's name, waiting while a predecessor still holds it.
fn bind_name(public: SocketAddr, stop: &AtomicBool) -> io::Result<Option<UnixListener>> {
    let addr = UnixAddr::from_abstract_name(name(public))?;
    let until = Instant::now() + NAME_WAIT;
    loop {
        match UnixListener::bind_addr(&addr) {
            Ok(l) => {
                l.set_nonblocking(true)?;
                return Ok(Some(l));
            }
            Err(e) if e.kind() == io::ErrorKind::AddrInUse && Instant::now() < until => {
                if stop.load(Ordering::Relaxed) {
                    return Ok(None);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Sends the sockets to the process on `s` if it runs as our user; returns its pid once it
/// says it took them.
fn give(s: &UnixStream, sockets: &Offered, before: &dyn Fn()) -> io::Result<u32> {
    s.set_nonblocking(false)?;
    s.set_read_timeout(Some(PATIENCE))?;
    s.set_write_timeout(Some(PATIENCE))?;
    let pid = same_user(s)?;
    before();
    let offer = Offer { pid: std::process::id(), public: sockets.public.len(), admin: sockets.admin.is_some() };
    let raw: Vec<RawFd> = sockets.public.iter().chain(&sockets.admin).map(AsRawFd::as_raw_fd).collect();
    let line = offer.line();
    let sent = socket::sendmsg::<()>(
        s.as_raw_fd(),
        &[IoSlice::new(line.as_bytes())],
        &[ControlMessage::ScmRights(&raw)],
        MsgFlags::empty(),
        None,
    )?;
    if sent != line.len() {
        return Err(io::Error::new(io::ErrorKind::WriteZero, "the offer was cut short"));
    }
    let mut ack = [0u8; 3];
    let mut reader = s;
    reader.read_exact(&mut ack)?;
    if &ack != b"ok\n" {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "the successor did not take the sockets"));
    }
    Ok(pid)
}

/// The pid of the process at the other end of `s`, if it runs as our effective user.
fn same_user(s: &UnixStream) -> io::Result<u32> {
    let cred = socket::getsockopt(s.as_raw_fd(), socket::sockopt::PeerCredentials)?;
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    if cred.uid() != me {
        let why = format!("pid {} runs as uid {}", cred.pid(), cred.uid());
        return Err(io::Error::new(io::ErrorKind::PermissionDenied, why));
    }
    Ok(cred.pid() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_successor_is_alive_until_it_exits_reaped_or_not() {
        assert!(alive(std::process::id()));
        let mut child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        let pid = child.id();
        assert!(alive(pid));
        child.kill().unwrap();
        // Killed but not yet reaped: a zombie, which serves nothing.
        let until = Instant::now() + Duration::from_secs(5);
        while alive(pid) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!alive(pid), "a killed child still looks alive");
        child.wait().unwrap();
        assert!(!alive(pid));
    }

    #[test]
    fn an_offer_line_reads_back_and_nothing_else_does() {
        let o = Offer { pid: 42, public: 3, admin: true };
        assert_eq!(Offer::parse(&o.line()), Some(o));
        for bad in [
            "",
            "barcoded-handover/2 pid=1 public=1 admin=0\n",
            "barcoded-handover/1 pid=1 public=0 admin=0\n",
            "barcoded-handover/1 pid=1 public=1 admin=2\n",
            "barcoded-handover/1 pid=1 public=999 admin=0\n",
            "barcoded-handover/1 pid=1 public=1\n",
            "barcoded-handover/1 pid=1 public=1 admin=0",
        ] {
            assert_eq!(Offer::parse(bad), None, "{bad:?}");
        }
    }

    /// Two listeners handed over in-process: the taker accepts a connection made to the
    /// giver's address on the very socket the giver listens on.
    #[test]
    fn sockets_handed_over_are_the_same_sockets() {
        let a = crate::server::listener::bind("127.0.0.1:0".parse().unwrap(), 16).unwrap();
        let addr = a.local_addr().unwrap();
        // The test's own name space: a fixed-port name would collide across test processes.
        let (giver, taker) = UnixStream::pair().unwrap();
        let offered = Offered { public: vec![OwnedFd::from(a.try_clone().unwrap())], admin: None };
        let t = std::thread::spawn(move || give(&giver, &offered, &|| ()));
        taker.set_read_timeout(Some(PATIENCE)).unwrap();
        let (header, fds) = receive(&taker).unwrap();
        let offer = Offer::parse(&header).unwrap();
        assert_eq!((offer.public, offer.admin, fds.len()), (1, false, 1));
        (&taker).write_all(b"ok\n").unwrap();
        assert_eq!(t.join().unwrap().unwrap(), std::process::id());
        let got = TcpListener::from(fds.into_iter().next().unwrap());
        check(&got, addr).unwrap();
        assert!(check(&got, "127.0.0.1:1".parse().unwrap()).is_err());
        check(&got, "127.0.0.1:0".parse().unwrap()).unwrap();
        assert!(check(&got, "127.0.0.2:0".parse().unwrap()).is_err());
        // The giver stops accepting (drops its descriptor): the queue survives in ours.
        drop(a);
        let _client = std::net::TcpStream::connect(addr).unwrap();
        got.set_nonblocking(false).unwrap();
        assert!(got.accept().is_ok());
    }

    #[test]
    fn no_instance_on_the_port_means_nothing_to_take() {
        // A port nobody offers on (the name is ours alone: our pid in it).
        let public: SocketAddr =
            format!("127.0.0.{}:{}", 2 + std::process::id() % 200, 1 + std::process::id() % 60000).parse().unwrap();
        assert!(matches!(take(public, None), Ok(None)));
        assert!(matches!(take("127.0.0.1:0".parse().unwrap(), None), Ok(None)));
    }
}
