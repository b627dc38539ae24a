//! Command-line flags and the target URL.

use clap::{Parser, ValueEnum};
use std::net::{SocketAddr, ToSocketAddrs};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Driver {
    Auto,
    Uring,
    Epoll,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// The `--url` path, every request.
    Hot,
    /// `--paths FILE`, round-robin (or random with `--random`).
    Paths,
    /// EAN-13 and GS1-128 labels over `--skus` SKUs with Zipf skew `--zipf-s`.
    Zipf,
    /// Unique EAN-13 data on every request: every request is a cache miss.
    Cold,
    /// Weighted symbologies and parse requests (`--mix`), unique data.
    Mixed,
}

/// A thread-per-core HTTP/1.1 load generator.
#[derive(Parser, Debug, Clone)]
#[command(name = "loadgen", version)]
pub struct Args {
    /// Target, http://host:port/path (the path is the `hot` workload's request).
    #[arg(long, default_value = "http://127.0.0.1:8080/v1/ean13/590123412345.png")]
    pub url: String,
    /// Client threads, one monoio runtime each.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: u16,
    /// Connections in total, spread over the threads.
    #[arg(long, short = 'c', default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=100000))]
    pub connections: u32,
    /// Seconds to run.
    #[arg(long, short = 'd', default_value_t = 5.0)]
    pub duration: f64,
    /// Requests in flight per connection (sent in one write).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub pipeline: u32,
    /// Open loop: requests per second in total, at constant arrival rate.
    #[arg(long)]
    pub rate: Option<f64>,
    /// Workload.
    #[arg(long, value_enum, default_value_t = Kind::Hot)]
    pub workload: Kind,
    /// File of request paths, one per line (workload `paths`).
    #[arg(long)]
    pub paths: Option<String>,
    /// Pick paths at random instead of round-robin.
    #[arg(long)]
    pub random: bool,
    /// SKUs for the zipf workload.
    #[arg(long, default_value_t = 10000)]
    pub skus: u32,
    /// Zipf skew.
    #[arg(long, default_value_t = 1.0)]
    pub zipf_s: f64,
    /// Weights for the mixed workload, `name:weight,...`: any symbology, `parse` for
    /// `/v1/parse` of a GS1 element string, `decode` for a POST of an image to `/v1/decode`.
    #[arg(long, default_value = "ean13:5,code128:3,qr:2")]
    pub mix: String,
    /// A query string added to every generated GET of the mixed workload (`scale=8`: a
    /// heavier render).
    #[arg(long)]
    pub query: Option<String>,
    /// PNG/JPEG to upload for `decode` in the mix (default: fetched from the target).
    #[arg(long)]
    pub decode_image: Option<String>,
    /// io driver.
    #[arg(long, value_enum, default_value_t = Driver::Auto)]
    pub driver: Driver,
    /// Check the body of every Nth 200 (PNG signature, SVG start); 0 turns it off.
    #[arg(long, default_value_t = 64)]
    pub verify_every: u64,
    /// Print one JSON object instead of the human summary.
    #[arg(long)]
    pub json: bool,
}

/// Where requests go.
#[derive(Clone, Debug)]
pub struct Target {
    pub addr: SocketAddr,
    pub host: String,
    pub path: String,
}

impl Target {
    pub fn parse(url: &str) -> Result<Target, String> {
        let rest = url.strip_prefix("http://").ok_or("only http:// URLs are supported")?;
        let (hostport, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let with_port = if hostport.contains(':') { hostport.to_string() } else { format!("{hostport}:80") };
        let addr = with_port
            .to_socket_addrs()
            .map_err(|e| format!("cannot resolve {hostport}: {e}"))?
            .next()
            .ok_or(format!("no address for {hostport}"))?;
        Ok(Target { addr, host: hostport.to_string(), path: path.to_string() })
    }
}
