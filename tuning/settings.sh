# shellcheck shell=bash
# The recommended kernel settings for barcoded, shared by apply.sh, check.sh and revert.sh.
# Each entry: "sysctl.key|recommended value|comparison|why". Comparison "min" means "at
# least this much is fine" (a larger current value is left alone); "eq" means "exactly".
# Read by the scripts that source this file.
# shellcheck disable=SC2034
SETTINGS=(
  "net.core.somaxconn|65535|min|listen backlog cap: bursts of new connections are queued instead of refused"
  "net.ipv4.tcp_max_syn_backlog|65535|min|half-open connections held during a connect storm (many label printers at shift start)"
  "net.core.netdev_max_backlog|16384|min|packets queued per CPU before the stack drops them under load"
  "net.ipv4.ip_local_port_range|1024 65535|eq|more ephemeral ports for clients and for our Redis/upstream connections"
  "net.ipv4.tcp_tw_reuse|1|eq|reuse TIME_WAIT sockets for new outgoing connections (load generators, Redis)"
  "net.ipv4.tcp_fin_timeout|15|eq|release closed connections sooner"
  "fs.file-max|2097152|min|system-wide file descriptors: every connection is one"
  "fs.nr_open|2097152|min|per-process descriptor ceiling, which bounds RLIMIT_NOFILE"
  "net.core.busy_poll|50|eq|microseconds a blocking socket read busy-polls the device (lower latency at some CPU cost)"
  "net.core.busy_read|50|eq|same for socket reads"
  "net.ipv4.tcp_slow_start_after_idle|0|eq|keep-alive connections keep their congestion window between bursts"
)
