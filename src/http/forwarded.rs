//! Who the client is behind trusted proxies: `Forwarded` (RFC 7239) and `X-Forwarded-For`,
//! read right to left — the rightmost address that is not itself a trusted proxy is the
//! client (anything to its left was written by the client and proves nothing). The proxy
//! list is `--trusted-proxies`; headers from any other peer are ignored by the caller.

use ipnet::IpNet;
use std::net::IpAddr;

/// The trusted proxies: CIDR blocks (`10.0.0.0/8`, `::1/128`) or single addresses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trusted(Vec<IpNet>);

impl Trusted {
    /// Parses a comma-separated list; an error names the entry.
    pub fn parse(list: &str) -> Result<Trusted, String> {
        let mut nets = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let net = match item.parse::<IpNet>() {
                Ok(n) => n,
                Err(_) => {
                    item.parse::<IpAddr>().map(IpNet::from).map_err(|_| format!("{item:?} is not a CIDR block"))?
                }
            };
            nets.push(net);
        }
        Ok(Trusted(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|n| n.contains(&ip))
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The client address the proxies report: the rightmost entry of `Forwarded` (its `for=`
/// parameters), else of `X-Forwarded-For`, that `trusted` does not claim. `None` when the
/// headers are absent or the entry found is not an address (`unknown`, an obfuscated name).
pub fn client(forwarded: Option<&[u8]>, xff: Option<&[u8]>, trusted: impl Fn(IpAddr) -> bool) -> Option<IpAddr> {
    let pick = |entries: Vec<&[u8]>| -> Option<IpAddr> {
        for e in entries.into_iter().rev() {
            let ip = address(e)?;
            if !trusted(ip) {
                return Some(ip);
            }
        }
        None
    };
    if let Some(f) = forwarded {
        let fors: Vec<&[u8]> = f
            .split(|&b| b == b',')
            .filter_map(|elem| {
                elem.split(|&b| b == b';').find_map(|pair| {
                    let pair = pair.trim_ascii();
                    let (k, v) = pair.split_at(pair.iter().position(|&b| b == b'=')?);
                    k.eq_ignore_ascii_case(b"for").then_some(&v[1..])
                })
            })
            .collect();
        if !fors.is_empty() {
            return pick(fors);
        }
    }
    pick(xff?.split(|&b| b == b',').collect())
}

/// One entry as an address: `1.2.3.4`, `"[2001:db8::1]:4711"`, `1.2.3.4:80`, `2001:db8::1`.
fn address(entry: &[u8]) -> Option<IpAddr> {
    let s = std::str::from_utf8(entry.trim_ascii()).ok()?;
    let s = s.trim_matches('"');
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok().map(canonical);
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    // IPv4 with a port.
    let (host, _) = s.rsplit_once(':')?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Trusted {
        Trusted::parse("10.0.0.0/8, 127.0.0.1, ::1/128").unwrap()
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn parse_and_contains() {
        let t = t();
        assert!(t.contains("10.1.2.3".parse().unwrap()));
        assert!(t.contains("127.0.0.1".parse().unwrap()));
        assert!(t.contains("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!t.contains("127.0.0.2".parse().unwrap()));
        assert!(Trusted::parse("10.0.0.0/33").unwrap_err().contains("10.0.0.0/33"));
        assert!(Trusted::parse("").unwrap().is_empty());
    }

    #[test]
    fn rightmost_untrusted_wins() {
        let t = t();
        let trusted = |ip| t.contains(ip);
        // The client may forge the left part; the rightmost untrusted entry is the client.
        assert_eq!(client(None, Some(b"6.6.6.6, 1.2.3.4, 10.0.0.7"), trusted), ip("1.2.3.4"));
        assert_eq!(client(None, Some(b"1.2.3.4"), trusted), ip("1.2.3.4"));
        assert_eq!(client(None, Some(b"10.0.0.1, 10.0.0.2"), trusted), None);
        assert_eq!(client(None, None, trusted), None);
        assert_eq!(client(None, Some(b"garbage"), trusted), None);
        let f = b"for=6.6.6.6, for=\"[2001:db8::1]:4711\";proto=https, For=10.0.0.9";
        assert_eq!(client(Some(f), Some(b"9.9.9.9"), trusted), ip("2001:db8::1"));
        assert_eq!(client(Some(b"for=1.2.3.4:80;by=x"), None, trusted), ip("1.2.3.4"));
        // Forwarded without for= falls back to X-Forwarded-For.
        assert_eq!(client(Some(b"proto=https"), Some(b"5.5.5.5"), trusted), ip("5.5.5.5"));
        assert_eq!(client(Some(b"for=unknown"), None, trusted), None);
    }
}
