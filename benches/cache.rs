//! L1 get and insert, on one thread and on two (this machine's cores), against moka's sync
//! cache (TinyLFU) and a single `Mutex<HashMap>`: the sharded CLOCK-Pro cache (quick_cache)
//! must win under contention and not lose alone.

use barcoded::cache::l1::L1;
use barcoded::http::encode::Ready;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const KEYS: usize = 10_000;

fn keys() -> Vec<Vec<u8>> {
    (0..KEYS).map(|i| format!("/v1/ean13/{:012}.png", 590_000_000_000u64 + i as u64).into_bytes()).collect()
}

fn ready() -> Arc<Ready> {
    Arc::new(Ready::new("image/png", "\"0123456789abcdef\"", &[], &[0u8; 234]))
}

/// Runs `f` on `threads` threads for `iters` operations in total.
fn par(threads: usize, iters: u64, f: impl Fn(u64) + Sync) -> std::time::Duration {
    let t = std::time::Instant::now();
    std::thread::scope(|s| {
        for k in 0..threads as u64 {
            let f = &f;
            s.spawn(move || {
                for i in 0..iters / threads as u64 {
                    f(i * 7919 + k);
                }
            });
        }
    });
    t.elapsed()
}

fn cache(c: &mut Criterion) {
    let keys = keys();
    let l1 = L1::new(1 << 28, 2);
    let map: Mutex<HashMap<Vec<u8>, Arc<Ready>>> = Mutex::new(HashMap::new());
    let moka: moka::sync::Cache<Vec<u8>, Arc<Ready>> = moka::sync::Cache::builder()
        .max_capacity(1 << 28)
        .weigher(|k: &Vec<u8>, v: &Arc<Ready>| (k.len() + v.weight() + 128) as u32)
        .build();
    for k in &keys {
        l1.insert(k, ready());
        moka.insert(k.clone(), ready());
        map.lock().unwrap().insert(k.clone(), ready());
    }
    for threads in [1usize, 2] {
        let mut g = c.benchmark_group(format!("cache/get/{threads}-threads"));
        g.bench_function("l1-quick_cache-sharded", |b| {
            b.iter_custom(|n| par(threads, n, |i| drop(black_box(l1.get(&keys[i as usize % KEYS])))))
        });
        g.bench_function("moka-sync", |b| {
            b.iter_custom(|n| par(threads, n, |i| drop(black_box(moka.get(&keys[i as usize % KEYS])))))
        });
        g.bench_function("mutex-hashmap", |b| {
            b.iter_custom(|n| {
                par(threads, n, |i| drop(black_box(map.lock().unwrap().get(&keys[i as usize % KEYS]).cloned())))
            })
        });
        g.finish();
        let mut g = c.benchmark_group(format!("cache/insert/{threads}-threads"));
        let r = ready();
        g.bench_function("l1-quick_cache-sharded", |b| {
            b.iter_custom(|n| par(threads, n, |i| l1.insert(&keys[i as usize % KEYS], r.clone())))
        });
        g.bench_function("moka-sync", |b| {
            b.iter_custom(|n| par(threads, n, |i| moka.insert(keys[i as usize % KEYS].clone(), r.clone())))
        });
        g.bench_function("mutex-hashmap", |b| {
            b.iter_custom(|n| {
                par(threads, n, |i| drop(map.lock().unwrap().insert(keys[i as usize % KEYS].clone(), r.clone())))
            })
        });
        g.finish();
    }
}

criterion_group! { name = benches; config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(1)).warm_up_time(std::time::Duration::from_millis(300)); targets = cache }
criterion_main!(benches);
