//! Request paths: a fixed URL, a file of paths, or generated fulfilment traffic (Zipf over
//! SKUs, unique cold data, a weighted symbology mix). Generation is per connection and
//! allocation-light: each call appends one request to the connection's write buffer.

use crate::cli::{Args, Kind, Target};

/// A small fast PRNG (xorshift64*), seeded per connection.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E3779B97F4A7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub enum Workload {
    Fixed(String),
    Paths { paths: Vec<String>, random: bool },
    Zipf { cdf: Vec<f64> },
    Cold,
    Mixed { weights: Vec<(String, u32)>, total: u32, image: Vec<u8>, query: Option<String> },
}

/// Fetches the sample image decode requests upload: `--decode-image FILE`, else an EAN-13
/// PNG from the target itself (any server answering the barcoded API).
fn sample_image(a: &Args, t: &Target) -> Result<Vec<u8>, String> {
    if let Some(f) = &a.decode_image {
        return std::fs::read(f).map_err(|e| format!("--decode-image {f}: {e}"));
    }
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(t.addr).map_err(|e| format!("fetching a sample image: {e}"))?;
    let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(5)));
    let req =
        format!("GET /v1/ean13/590123412345.png?scale=3 HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", t.host);
    s.write_all(req.as_bytes()).map_err(|e| format!("fetching a sample image: {e}"))?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).map_err(|e| format!("fetching a sample image: {e}"))?;
    let at = resp.windows(4).position(|w| w == b"\r\n\r\n").ok_or("sample image: no HTTP response")? + 4;
    if !resp.starts_with(b"HTTP/1.1 200") {
        return Err("sample image: the target did not answer 200 (give --decode-image FILE)".into());
    }
    Ok(resp[at..].to_vec())
}

/// The GS1 mod-10 check digit of `d` (weights 3, 1, ... from the right).
fn gs1_check(d: &[u8]) -> u8 {
    let s: u32 = d.iter().rev().enumerate().map(|(i, &x)| x as u32 * if i % 2 == 0 { 3 } else { 1 }).sum();
    ((10 - s % 10) % 10) as u8
}

/// 12 digits of `n` (mod 10^12).
fn digits12(n: u64) -> [u8; 12] {
    let mut d = [0u8; 12];
    let mut v = n % 1_000_000_000_000;
    for i in (0..12).rev() {
        d[i] = (v % 10) as u8;
        v /= 10;
    }
    d
}

impl Workload {
    pub fn from_args(a: &Args, t: &Target) -> Result<Workload, String> {
        Ok(match a.workload {
            Kind::Hot => Workload::Fixed(t.path.clone()),
            Kind::Paths => {
                let f = a.paths.as_ref().ok_or("--workload paths needs --paths FILE")?;
                let text = std::fs::read_to_string(f).map_err(|e| format!("--paths {f}: {e}"))?;
                let paths: Vec<String> =
                    text.lines().map(str::trim).filter(|l| l.starts_with('/')).map(String::from).collect();
                if paths.is_empty() {
                    return Err(format!("--paths {f}: no lines starting with '/'"));
                }
                Workload::Paths { paths, random: a.random }
            }
            Kind::Zipf => {
                if a.skus == 0 || a.zipf_s.is_nan() || a.zipf_s <= 0.0 {
                    return Err("--skus must be > 0 and --zipf-s > 0".into());
                }
                let mut cdf: Vec<f64> = (1..=a.skus).map(|k| 1.0 / (k as f64).powf(a.zipf_s)).collect();
                let mut acc = 0.0;
                for x in cdf.iter_mut() {
                    acc += *x;
                    *x = acc;
                }
                for x in cdf.iter_mut() {
                    *x /= acc;
                }
                Workload::Zipf { cdf }
            }
            Kind::Cold => Workload::Cold,
            Kind::Mixed => {
                let mut weights = Vec::new();
                for part in a.mix.split(',') {
                    let (name, w) = part.split_once(':').ok_or(format!("--mix: {part:?} is not symbology:weight"))?;
                    let w: u32 = w.parse().map_err(|_| format!("--mix: bad weight in {part:?}"))?;
                    weights.push((name.to_string(), w));
                }
                let total = weights.iter().map(|w| w.1).sum();
                if total == 0 {
                    return Err("--mix: weights sum to 0".into());
                }
                let image =
                    if weights.iter().any(|(n, w)| n == "decode" && *w > 0) { sample_image(a, t)? } else { Vec::new() };
                Workload::Mixed { weights, total, image, query: a.query.clone() }
            }
        })
    }

    /// Appends the next whole request to `out`: a GET of the next path, or for a mixed
    /// workload's `decode` share a POST of the sample image to `/v1/decode`.
    pub fn request(&self, rng: &mut Rng, seq: u64, conn_id: u64, host: &str, out: &mut Vec<u8>) {
        if let Workload::Mixed { weights, total, image, .. } = self {
            if !image.is_empty() {
                let decode_w = weights.iter().filter(|(n, _)| n == "decode").map(|w| w.1).sum::<u32>() as u64;
                if rng.next() % *total as u64 >= *total as u64 - decode_w {
                    use std::io::Write;
                    let _ = write!(
                        out,
                        "POST /v1/decode HTTP/1.1\r\nHost: {host}\r\nContent-Type: image/png\r\nContent-Length: {}\r\n\r\n",
                        image.len()
                    );
                    out.extend_from_slice(image);
                    return;
                }
            }
        }
        out.extend_from_slice(b"GET ");
        self.path(rng, seq, conn_id, out);
        out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
        out.extend_from_slice(host.as_bytes());
        out.extend_from_slice(b"\r\n\r\n");
    }

    /// Appends the next request's path to `out`; `seq` is this connection's request count.
    pub fn path(&self, rng: &mut Rng, seq: u64, conn_id: u64, out: &mut Vec<u8>) {
        use std::io::Write;
        match self {
            Workload::Fixed(p) => out.extend_from_slice(p.as_bytes()),
            Workload::Paths { paths, random } => {
                let i =
                    if *random { rng.next() as usize % paths.len() } else { (seq + conn_id) as usize % paths.len() };
                out.extend_from_slice(paths[i].as_bytes());
            }
            Workload::Zipf { cdf } => {
                let u = rng.unit();
                let rank = cdf.partition_point(|&c| c < u) as u64;
                // A fixed catalogue: SKU k is an EAN-13 label, every 10th a GS1-128 case label.
                let d = digits12(590_000_000_000 + rank * 7919);
                if rank % 10 == 9 {
                    // (01) GTIN-14: indicator 0, the 12 digits, its check digit.
                    let mut g = [0u8; 13];
                    g[1..].copy_from_slice(&d);
                    out.extend_from_slice(b"/v1/gs1-128/%2801%29");
                    out.extend(g.iter().map(|x| b'0' + x));
                    out.push(b'0' + gs1_check(&g));
                    out.extend_from_slice(b".png");
                } else {
                    out.extend_from_slice(b"/v1/ean13/");
                    out.extend(d.iter().map(|x| b'0' + x));
                    out.extend_from_slice(b".png");
                }
            }
            Workload::Cold => {
                let d = digits12(conn_id * 1_000_000_007 + seq * 13 + rng.next() % 7);
                out.extend_from_slice(b"/v1/ean13/");
                out.extend(d.iter().map(|x| b'0' + x));
                out.extend_from_slice(b".png");
            }
            Workload::Mixed { weights, query, .. } => {
                // `decode` shares are drawn in request(); here the GET kinds share the rest.
                let gets: Vec<&(String, u32)> = weights.iter().filter(|(n, _)| n != "decode").collect();
                let gets_total: u32 = gets.iter().map(|w| w.1).sum();
                if gets_total == 0 {
                    out.extend_from_slice(b"/healthz");
                    return;
                }
                let mut r = (rng.next() % gets_total as u64) as u32;
                let mut name = gets[0].0.as_str();
                for (n, w) in gets {
                    if r < *w {
                        name = n;
                        break;
                    }
                    r -= w;
                }
                let v = rng.next();
                match name {
                    "ean13" => {
                        out.extend_from_slice(b"/v1/ean13/");
                        out.extend(digits12(v).iter().map(|x| b'0' + x));
                        out.extend_from_slice(b".png");
                    }
                    "parse" => {
                        out.extend_from_slice(b"/v1/parse?code=%2801%290");
                        let d = digits12(v);
                        let mut g = [0u8; 13];
                        g[1..].copy_from_slice(&d);
                        out.extend(d.iter().map(|x| b'0' + x));
                        out.push(b'0' + gs1_check(&g));
                        out.extend_from_slice(b"%2817%29261231%2810%29LOT42");
                    }
                    "qr" => {
                        let _ = write!(out, "/v1/qr/https%3A%2F%2Fshop.example.com%2Fo%2F{v}.png");
                    }
                    other => {
                        let _ = write!(out, "/v1/{other}/ORD-{}.png", v % 1_000_000_000);
                    }
                }
                if let Some(q) = query {
                    out.push(if name == "parse" { b'&' } else { b'?' });
                    out.extend_from_slice(q.as_bytes());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipf_favours_low_ranks_and_paths_are_well_formed() {
        let args = <Args as clap::Parser>::parse_from(["loadgen", "--workload", "zipf", "--skus", "100"]);
        let t = Target::parse("http://127.0.0.1:1/").unwrap();
        let w = Workload::from_args(&args, &t).unwrap();
        let mut rng = Rng::new(1);
        let mut first = 0;
        for i in 0..1000 {
            let mut p = Vec::new();
            w.path(&mut rng, i, 0, &mut p);
            let s = String::from_utf8(p).unwrap();
            assert!(s.starts_with("/v1/") && s.ends_with(".png"), "{s}");
            if s == "/v1/ean13/590000000000.png" {
                first += 1;
            }
        }
        assert!(first > 100, "rank 1 should be ~19% of draws at s=1, N=100: {first}");
    }

    #[test]
    fn cold_paths_are_unique() {
        let w = Workload::Cold;
        let mut rng = Rng::new(7);
        let mut seen = std::collections::HashSet::new();
        for i in 0..10_000 {
            let mut p = Vec::new();
            w.path(&mut rng, i, 3, &mut p);
            assert!(seen.insert(p));
        }
    }
}
