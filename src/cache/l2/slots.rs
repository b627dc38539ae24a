//! Redis Cluster's key space, pure: the slot of a key (CRC16/XMODEM of the key or of its
//! hash tag, modulo 16384), the slot map read from `CLUSTER SHARDS` (or, from a Redis
//! older than 7, `CLUSTER SLOTS`), and the `MOVED`/`ASK` redirections. No IO: the cluster
//! client (`cluster.rs`) asks, this reads the answers.

use redis::Value;
use std::net::SocketAddr;

/// Slots in a Redis Cluster.
pub const SLOTS: usize = 16384;

const CRC16: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_XMODEM);

/// The slot of `key`: of its hash tag when it has one (the bytes between the first `{` and
/// the first `}` after it, when not empty), else of the whole key — as Redis computes it.
pub fn key_slot(key: &[u8]) -> u16 {
    let hashed = key
        .iter()
        .position(|&b| b == b'{')
        .and_then(|open| {
            let rest = &key[open + 1..];
            rest.iter().position(|&b| b == b'}').map(|close| &rest[..close])
        })
        .filter(|tag| !tag.is_empty())
        .unwrap_or(key);
    CRC16.checksum(hashed) % SLOTS as u16
}

/// One shard: its master and its replicas (those online, for reads).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shard {
    pub master: SocketAddr,
    pub replicas: Vec<SocketAddr>,
}

/// Which shard serves each slot. Slots no shard claims are `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotMap {
    shards: Vec<Shard>,
    /// Per slot, an index into `shards`, or `u16::MAX`.
    slots: Vec<u16>,
}

const NONE: u16 = u16::MAX;

impl Default for SlotMap {
    fn default() -> Self {
        SlotMap { shards: Vec::new(), slots: vec![NONE; SLOTS] }
    }
}

impl SlotMap {
    /// A map with nothing in it (before the first `CLUSTER SHARDS` is read).
    pub fn is_empty(&self) -> bool {
        self.shards.is_empty()
    }

    pub fn shard(&self, slot: u16) -> Option<&Shard> {
        self.slots.get(usize::from(slot)).and_then(|&i| self.shards.get(usize::from(i)))
    }

    pub fn shards(&self) -> &[Shard] {
        &self.shards
    }

    /// Whether `addr` is a master of this map.
    pub fn is_master(&self, addr: SocketAddr) -> bool {
        self.shards.iter().any(|s| s.master == addr)
    }

    /// Slots served, of the 16384 (a map with holes says the cluster is not whole).
    pub fn covered(&self) -> usize {
        self.slots.iter().filter(|&&i| i != NONE).count()
    }

    /// The map after a `MOVED slot addr`: that slot is served by `addr` (a master the map
    /// knows, or a new shard of its own until the next refresh says more).
    pub fn moved(&self, slot: u16, addr: SocketAddr) -> SlotMap {
        let mut next = self.clone();
        let i = match next.shards.iter().position(|s| s.master == addr) {
            Some(i) => i,
            None => {
                next.shards.push(Shard { master: addr, replicas: Vec::new() });
                next.shards.len() - 1
            }
        };
        if let (Some(s), Ok(i)) = (next.slots.get_mut(usize::from(slot)), u16::try_from(i)) {
            *s = i;
        }
        next
    }

    fn add(&mut self, shard: Shard, ranges: &[(i64, i64)]) -> Result<(), String> {
        let i = u16::try_from(self.shards.len()).map_err(|_| "too many shards".to_string())?;
        for &(start, end) in ranges {
            if !(0..SLOTS as i64).contains(&start) || !(start..SLOTS as i64).contains(&end) {
                return Err(format!("slot range {start}-{end} outside 0-16383"));
            }
            for s in start..=end {
                self.slots[s as usize] = i;
            }
        }
        self.shards.push(shard);
        Ok(())
    }

    /// The map in a `CLUSTER SHARDS` reply (RESP2 or RESP3): per shard its slot ranges and
    /// its nodes; the master is the node whose role is `master`, replicas those `online`.
    /// A shard without slots (a master with none assigned yet) or without a master is left
    /// out; a node whose `ip` is not an IP address is left out (no name lookups on a core).
    pub fn from_shards(reply: &Value) -> Result<SlotMap, String> {
        let mut map = SlotMap::default();
        for shard in items(reply).ok_or("CLUSTER SHARDS: not an array")? {
            let of_shard = fields(shard).ok_or("CLUSTER SHARDS: a shard is not a map")?;
            let ranges: Vec<i64> =
                field(&of_shard, "slots").and_then(items).unwrap_or_default().iter().filter_map(int).collect();
            if !ranges.len().is_multiple_of(2) {
                return Err("CLUSTER SHARDS: odd slot list".into());
            }
            let ranges: Vec<(i64, i64)> = ranges.chunks(2).map(|c| (c[0], c[1])).collect();
            // The online master, else any (Redis 7.2 lists a failed old master in the
            // shard of the replica that took its place).
            let (mut master, mut stale_master) = (None, None);
            let mut replicas = Vec::new();
            for node in field(&of_shard, "nodes").and_then(items).unwrap_or_default() {
                let f = fields(node).ok_or("CLUSTER SHARDS: a node is not a map")?;
                let ip = field(&f, "ip").and_then(text).or_else(|| field(&f, "endpoint").and_then(text));
                let port = field(&f, "port").and_then(int);
                let (Some(ip), Some(port)) = (ip, port) else { continue };
                let Some(addr) = socket(&ip, port) else { continue };
                let online = field(&f, "health").and_then(text).is_none_or(|h| h == "online");
                match field(&f, "role").and_then(text).as_deref() {
                    Some("master") if online => master = Some(addr),
                    Some("master") => stale_master = Some(addr),
                    Some("replica") if online => replicas.push(addr),
                    _ => {}
                }
            }
            if let (Some(master), false) = (master.or(stale_master), ranges.is_empty()) {
                map.add(Shard { master, replicas }, &ranges)?;
            }
        }
        Ok(map)
    }

    /// The map in a `CLUSTER SLOTS` reply (Redis before 7): per range, start, end, the
    /// master and the replicas, each `[ip, port, id, …]`.
    pub fn from_slots(reply: &Value) -> Result<SlotMap, String> {
        let mut map = SlotMap::default();
        for range in items(reply).ok_or("CLUSTER SLOTS: not an array")? {
            let parts = items(range).ok_or("CLUSTER SLOTS: a range is not an array")?;
            let (Some(start), Some(end)) = (parts.first().and_then(int), parts.get(1).and_then(int)) else {
                return Err("CLUSTER SLOTS: a range without bounds".into());
            };
            let mut nodes = parts.iter().skip(2).filter_map(|n| {
                let n = items(n)?;
                socket(&n.first().and_then(text)?, n.get(1).and_then(int)?)
            });
            let Some(master) = nodes.next() else { continue };
            let shard = Shard { master, replicas: nodes.collect() };
            // Ranges of one master come as separate entries: one shard each is fine.
            map.add(shard, &[(start, end)])?;
        }
        Ok(map)
    }
}

/// A redirection in a cluster's error reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Redirect {
    /// The slot lives at this node now: ask it, and remember.
    Moved { slot: u16, addr: SocketAddr },
    /// The slot is migrating: ask this node once, after `ASKING`.
    Ask { slot: u16, addr: SocketAddr },
}

impl Redirect {
    /// Reads `MOVED`/`ASK` with their details (`3999 127.0.0.1:6381`); `None` for any other
    /// error or an address that is not an IP (Redis may name a host we would have to look up).
    pub fn parse(code: &str, details: &str) -> Option<Redirect> {
        let (slot, addr) = details.trim().split_once(' ')?;
        let slot: u16 = slot.parse().ok().filter(|&s| usize::from(s) < SLOTS)?;
        let (host, port) = addr.rsplit_once(':')?;
        let addr = socket(host, port.parse().ok()?)?;
        match code {
            "MOVED" => Some(Redirect::Moved { slot, addr }),
            "ASK" => Some(Redirect::Ask { slot, addr }),
            _ => None,
        }
    }
}

fn socket(ip: &str, port: i64) -> Option<SocketAddr> {
    let ip: std::net::IpAddr = ip.trim_start_matches('[').trim_end_matches(']').parse().ok()?;
    Some(SocketAddr::new(ip, u16::try_from(port).ok().filter(|&p| p != 0)?))
}

fn items(v: &Value) -> Option<&[Value]> {
    match v {
        Value::Array(a) | Value::Set(a) => Some(a),
        _ => None,
    }
}

/// A RESP3 map, or a RESP2 array of alternating names and values, as pairs.
fn fields(v: &Value) -> Option<Vec<(String, &Value)>> {
    match v {
        Value::Map(m) => Some(m.iter().filter_map(|(k, v)| Some((text(k)?, v))).collect()),
        Value::Array(a) => {
            Some(a.chunks(2).filter(|c| c.len() == 2).filter_map(|c| Some((text(&c[0])?, &c[1]))).collect())
        }
        _ => None,
    }
}

fn field<'a>(fields: &[(String, &'a Value)], name: &str) -> Option<&'a Value> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
        Value::SimpleString(s) => Some(s.clone()),
        Value::VerbatimString { text, .. } => Some(text.clone()),
        _ => None,
    }
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        other => text(other)?.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_redis_own() {
        // The values Redis's CLUSTER KEYSLOT gives (and the specification's example).
        assert_eq!(key_slot(b"123456789"), 0x31C3);
        assert_eq!(key_slot(b"foo"), 12182);
        assert_eq!(key_slot(b"bar"), 5061);
        assert_eq!(key_slot(b""), 0);
        // Hash tags: the first {...} with something in it.
        assert_eq!(key_slot(b"{user1000}.following"), key_slot(b"user1000"));
        assert_eq!(key_slot(b"foo{}{bar}"), key_slot(b"foo{}{bar}"), "an empty tag hashes the whole key");
        assert_ne!(key_slot(b"foo{}{bar}"), key_slot(b"bar"));
        assert_eq!(key_slot(b"foo{{bar}}zap"), key_slot(b"{bar"));
        assert_eq!(key_slot(b"foo{bar}{zap}"), key_slot(b"bar"));
        assert_eq!(key_slot(b"no{close"), key_slot(b"no{close"));
    }

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    fn node(port: i64, role: &str, health: &str) -> Value {
        Value::Array(vec![
            bulk("id"),
            bulk("abc"),
            bulk("port"),
            Value::Int(port),
            bulk("ip"),
            bulk("127.0.0.1"),
            bulk("endpoint"),
            bulk("127.0.0.1"),
            bulk("role"),
            bulk(role),
            bulk("replication-offset"),
            Value::Int(1),
            bulk("health"),
            bulk(health),
        ])
    }

    fn shard(ranges: &[i64], nodes: Vec<Value>) -> Value {
        Value::Array(vec![
            bulk("slots"),
            Value::Array(ranges.iter().map(|&r| Value::Int(r)).collect()),
            bulk("nodes"),
            Value::Array(nodes),
        ])
    }

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    #[test]
    fn shards_reply() {
        let reply = Value::Array(vec![
            shard(&[0, 5460], vec![node(7000, "master", "online"), node(7003, "replica", "online")]),
            shard(&[5461, 10922], vec![node(7004, "replica", "failed"), node(7001, "master", "online")]),
            shard(
                &[10923, 12000, 12001, 16383],
                vec![node(7002, "master", "online"), node(7005, "replica", "loading")],
            ),
            // A master without slots yet: left out.
            shard(&[], vec![node(7006, "master", "online")]),
            // After a failover (7.2): the failed old master beside the new one.
            shard(&[12001, 12001], vec![node(7007, "master", "failed"), node(7008, "master", "online")]),
        ]);
        let map = SlotMap::from_shards(&reply).unwrap();
        assert_eq!(map.covered(), SLOTS);
        assert_eq!(map.shard(0).unwrap(), &Shard { master: addr(7000), replicas: vec![addr(7003)] });
        assert_eq!(
            map.shard(5461).unwrap(),
            &Shard { master: addr(7001), replicas: vec![] },
            "a failed replica is left out"
        );
        assert_eq!(map.shard(16383).unwrap().master, addr(7002));
        assert_eq!(map.shard(12000).unwrap().master, addr(7002));
        assert_eq!(map.shard(12001).unwrap().master, addr(7008), "the online master, not the failed one");
        assert!(map.is_master(addr(7001)) && !map.is_master(addr(7003)) && !map.is_master(addr(7006)));
        assert_eq!(map.shards().len(), 4);
        // Bad replies are errors, never a panic.
        assert!(SlotMap::from_shards(&Value::Int(3)).is_err());
        assert!(SlotMap::from_shards(&Value::Array(vec![shard(&[0, 20000], vec![node(7000, "master", "online")])]))
            .is_err());
        assert!(
            SlotMap::from_shards(&Value::Array(vec![shard(&[5, 4], vec![node(7000, "master", "online")])])).is_err()
        );
        assert!(SlotMap::from_shards(&Value::Array(vec![shard(&[0], vec![node(7000, "master", "online")])])).is_err());
        // RESP3 maps read the same.
        let resp3 = Value::Array(vec![Value::Map(vec![
            (bulk("slots"), Value::Array(vec![Value::Int(0), Value::Int(16383)])),
            (
                bulk("nodes"),
                Value::Array(vec![Value::Map(vec![
                    (bulk("ip"), bulk("::1")),
                    (bulk("port"), Value::Int(7000)),
                    (bulk("role"), bulk("master")),
                ])]),
            ),
        ])]);
        let m = SlotMap::from_shards(&resp3).unwrap();
        assert_eq!(m.shard(9).unwrap().master, "[::1]:7000".parse().unwrap());
    }

    #[test]
    fn slots_reply() {
        let n = |port: i64| Value::Array(vec![bulk("127.0.0.1"), Value::Int(port), bulk("id")]);
        let reply = Value::Array(vec![
            Value::Array(vec![Value::Int(0), Value::Int(8191), n(7000), n(7003)]),
            Value::Array(vec![Value::Int(8192), Value::Int(16383), n(7001)]),
        ]);
        let map = SlotMap::from_slots(&reply).unwrap();
        assert_eq!(map.covered(), SLOTS);
        assert_eq!(map.shard(8191).unwrap(), &Shard { master: addr(7000), replicas: vec![addr(7003)] });
        assert_eq!(map.shard(8192).unwrap().master, addr(7001));
        assert!(SlotMap::from_slots(&Value::Array(vec![Value::Array(vec![Value::Int(0)])])).is_err());
    }

    #[test]
    fn moved_changes_one_slot() {
        let reply = Value::Array(vec![
            shard(&[0, 8191], vec![node(7000, "master", "online")]),
            shard(&[8192, 16383], vec![node(7001, "master", "online")]),
        ]);
        let map = SlotMap::from_shards(&reply).unwrap();
        let m = map.moved(5, addr(7001));
        assert_eq!(m.shard(5).unwrap().master, addr(7001));
        assert_eq!(m.shard(4).unwrap().master, addr(7000));
        assert_eq!(m.shards().len(), 2);
        let m = m.moved(6, addr(7009));
        assert_eq!(m.shard(6).unwrap().master, addr(7009));
        assert_eq!(m.shards().len(), 3);
        assert!(SlotMap::default().is_empty() && SlotMap::default().shard(0).is_none());
    }

    #[test]
    fn redirects() {
        assert_eq!(
            Redirect::parse("MOVED", "3999 127.0.0.1:6381"),
            Some(Redirect::Moved { slot: 3999, addr: addr(6381) })
        );
        assert_eq!(Redirect::parse("ASK", "3999 127.0.0.1:6381"), Some(Redirect::Ask { slot: 3999, addr: addr(6381) }));
        assert_eq!(
            Redirect::parse("MOVED", "1 [::1]:6381"),
            Some(Redirect::Moved { slot: 1, addr: "[::1]:6381".parse().unwrap() })
        );
        for (code, details) in [
            ("MOVED", "16384 127.0.0.1:1"),
            ("MOVED", "1 redis-3:6379"),
            ("MOVED", "1 127.0.0.1"),
            ("MOVED", "x 127.0.0.1:1"),
            ("MOVED", ""),
            ("ERR", "1 127.0.0.1:1"),
        ] {
            assert_eq!(Redirect::parse(code, details), None, "{code} {details}");
        }
    }
}
