//! Dots on a checkerboard lattice out of a luma image: DotCode's geometry, for
//! `dotcode.rs`. Dark blobs of a dot's shape (one threshold for the image, runs of each row
//! joined to the row above), each linked to its near neighbours of a like size; a group of
//! linked dots gets whole-number lattice coordinates by walking the links (each step is
//! short, so a rough module size and angle do; where a curved surface turns the lattice
//! away from that angle, the map fitted so far places the rest), pixels are fitted to
//! coordinates (least squares with second-order terms, outliers dropped), and every
//! lattice point of the group's box is sampled.
//! Bounded: at most `MAX_RUNS` dark runs are kept for an image, `MAX_IMAGE_DOTS` dots, each
//! with `MAX_LINKS` links, and `MAX_DOTS` dots make a group.

use super::runs::changes;

/// Dark runs kept for one image; an image with more (noise, texture) has no readable dots.
const MAX_RUNS: usize = 1 << 20;
/// The largest dot, in pixels a side.
const MAX_DOT: u32 = 48;
/// Dots a group needs (the smallest DotCode has 38 places, about half of them dots).
const MIN_DOTS: usize = 12;
/// Dots a group may have (200 x 200 places, half of them dots at most).
const MAX_DOTS: usize = 20_000;
/// Dots one image may have (a hundred of the largest symbols): more is texture, and no
/// DotCode is looked for in it.
const MAX_IMAGE_DOTS: usize = 1 << 18;
/// The largest side of a lattice, in places.
const MAX_SIDE: usize = 200;
/// The least difference between the mean dark and the mean light level.
const MIN_CONTRAST: f32 = 40.0;

/// One group of dots sampled on its lattice: `dark[j * w + i]` for place (i, j), places
/// whose i + j has the other parity than the dots' always light.
pub struct Lattice {
    pub w: usize,
    pub h: usize,
    pub dark: Vec<bool>,
    /// Lattice coordinates to pixels, and the coordinates of place (0, 0).
    map: Map,
    first: (f32, f32),
}

impl Lattice {
    /// The pixel at lattice coordinates (i, j) (fractions allowed).
    pub fn pixel(&self, i: f32, j: f32) -> (f32, f32) {
        self.map.at(i + self.first.0, j + self.first.1)
    }

    /// A lattice of places one pixel apart, for tests of what reads it.
    #[cfg(test)]
    pub fn for_test(w: usize, h: usize, dark: Vec<bool>) -> Lattice {
        let map = Map { x: [0.0, 1.0, 0.0, 0.0, 0.0, 0.0], y: [0.0, 0.0, 1.0, 0.0, 0.0, 0.0] };
        Lattice { w, h, dark, map, first: (0.0, 0.0) }
    }

    /// Degrees the lattice's i axis is turned clockwise from the image's x axis (-45 to 45),
    /// at its centre.
    pub fn angle(&self) -> f32 {
        let (ci, cj) = (self.first.0 + self.w as f32 / 2.0, self.first.1 + self.h as f32 / 2.0);
        let (a, b) = (self.map.at(ci + 0.5, cj), self.map.at(ci - 0.5, cj));
        (a.1 - b.1).atan2(a.0 - b.0).to_degrees()
    }
}

/// A dark blob shaped like a dot: its centroid and the square root of its area.
#[derive(Clone, Copy)]
struct Dot {
    x: f32,
    y: f32,
    r: f32,
}

/// An image's two levels, from a sample of its pixels (Otsu): dark at or below
/// `threshold`; `light` the mean of the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Levels {
    pub threshold: u8,
    pub light: u8,
}

/// What the dot finder looks at: the `w` x `h` luma image and its `levels` (taken before
/// anything was painted: a painted place would pull the threshold its way), and `painted`,
/// the same image with the symbols already read painted light (`mask.rs`), or the image
/// itself, where the blobs are looked for.
pub struct Search<'a> {
    pub luma: &'a [u8],
    pub painted: &'a [u8],
    pub w: u32,
    pub h: u32,
    pub levels: Levels,
}

/// Every group of dots that lies on a checkerboard lattice.
pub fn lattices(s: &Search) -> Vec<Lattice> {
    let (luma, (w, h), t) = (s.luma, (s.w as usize, s.h as usize), s.levels.threshold);
    if w < 8 || h < 8 || luma.len() < w * h || s.painted.len() < w * h {
        return Vec::new();
    }
    let Some(dots) = dots(s.painted, w, h, t).filter(|d| d.len() <= MAX_IMAGE_DOTS) else { return Vec::new() };
    let links = links(&dots);
    let mut out = Vec::new();
    for group in groups(dots.len(), &links) {
        if (MIN_DOTS..=MAX_DOTS).contains(&group.len()) {
            if let Some(l) = lattice(&dots, &group, &links, luma, (w, h, t)) {
                out.push(l);
            }
        }
    }
    out
}

/// Otsu's threshold over a sample of a `w` x `h` luma image, and the light level; `None`
/// when dark and light are too alike (or the image too small for dots).
pub fn levels(luma: &[u8], w: u32, h: u32) -> Option<Levels> {
    let (w, h) = (w as usize, h as usize);
    if w < 8 || h < 8 || luma.len() < w * h {
        return None;
    }
    // About 16 Ki samples on a grid (plenty for two levels; every pixel of a small image
    // would cost more than the rest of the search), counted in four histograms (repeated
    // values do not wait on each other), then summed.
    let step = ((w * h) as f64 / 16384.0).sqrt().ceil().max(1.0) as usize;
    let mut four = [[0u32; 256]; 4];
    for (row, y) in (0..h).step_by(step).enumerate() {
        // Each sampled row starts a little further along: a pattern as regular as the
        // sampling (a page of dots) is not seen all dark or all light.
        let from = (row * 7) % step;
        for (k, &p) in luma[y * w + from..(y + 1) * w].iter().step_by(step).enumerate() {
            four[k % 4][usize::from(p)] += 1;
        }
    }
    let hist: [u32; 256] = std::array::from_fn(|v| four.iter().map(|h| h[v]).sum());
    let total: f64 = hist.iter().map(|&c| f64::from(c)).sum();
    let sum: f64 = hist.iter().enumerate().map(|(i, &c)| i as f64 * f64::from(c)).sum();
    let (mut best, mut best_t, mut means) = (0.0, 0u8, (0.0, 0.0));
    let (mut w0, mut s0) = (0.0, 0.0);
    for (t, &c) in hist.iter().enumerate().take(255) {
        w0 += f64::from(c);
        s0 += t as f64 * f64::from(c);
        let w1 = total - w0;
        if w0 == 0.0 || w1 == 0.0 {
            continue;
        }
        let (m0, m1) = (s0 / w0, (sum - s0) / w1);
        let between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if between > best {
            (best, best_t, means) = (between, t as u8, (m0, m1));
        }
    }
    let light = (means.1.round() as u8).max(best_t.saturating_add(1));
    ((means.1 - means.0) as f32 >= MIN_CONTRAST).then_some(Levels { threshold: best_t, light })
}

/// Union–find over indexes.
fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        parent[i as usize] = parent[parent[i as usize] as usize];
        i = parent[i as usize];
    }
    i
}

fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb) as usize] = ra.min(rb);
    }
}

/// The blobs of pixels at or below `t` (4-connected) that are shaped like a dot: small,
/// about as wide as tall, filling most of their box. `None` past `MAX_RUNS` runs.
fn dots(luma: &[u8], w: usize, h: usize, t: u8) -> Option<Vec<Dot>> {
    // Runs: (row, start, end), and the index where each row's runs begin.
    let mut runs: Vec<(u32, u32, u32)> = Vec::new();
    let mut parent: Vec<u32> = Vec::new();
    let mut prev = 0..0;
    // Where each row's level changes (`runs::changes`, 64 pixels a word), and the
    // dark runs between: (start, end) pairs from the first dark pixel on.
    let (mut masks, mut edges) = (Vec::new(), Vec::new());
    // `t` is at most 254 (Otsu's last candidate), so dark is below t + 1.
    let below = t.saturating_add(1);
    for y in 0..h {
        let row = &luma[y * w..(y + 1) * w];
        edges.clear();
        if row[0] < below {
            edges.push(0);
        }
        changes(row, below, &mut masks, &mut edges);
        edges.push(w as u32);
        let start = runs.len();
        // The previous row's first run that may still touch this row's next run.
        let mut p = prev.start;
        for pair in edges.chunks_exact(2) {
            let (a, x) = (pair[0] as usize, pair[1] as usize);
            if runs.len() == MAX_RUNS {
                return None;
            }
            let id = runs.len() as u32;
            runs.push((y as u32, a as u32, x as u32));
            parent.push(id);
            // Both rows' runs are in order: the ones ending before this one starts are
            // passed for good; those overlapping it are joined.
            while p < prev.end && (runs[p].2 as usize) <= a {
                p += 1;
            }
            let mut q = p;
            while q < prev.end && (runs[q].1 as usize) < x {
                union(&mut parent, q as u32, id);
                q += 1;
            }
        }
        prev = start..runs.len();
    }
    // Each blob's box, area and centroid, at its root.
    #[derive(Clone, Copy)]
    struct Blob {
        x0: u32,
        y0: u32,
        x1: u32,
        y1: u32,
        n: u32,
        sx: f64,
        sy: f64,
    }
    let empty = Blob { x0: u32::MAX, y0: u32::MAX, x1: 0, y1: 0, n: 0, sx: 0.0, sy: 0.0 };
    let mut blobs = vec![empty; runs.len()];
    for (i, &(y, a, b)) in runs.iter().enumerate() {
        let r = find(&mut parent, i as u32) as usize;
        let bl = &mut blobs[r];
        let len = b - a;
        bl.x0 = bl.x0.min(a);
        bl.x1 = bl.x1.max(b);
        bl.y0 = bl.y0.min(y);
        bl.y1 = bl.y1.max(y + 1);
        bl.n += len;
        bl.sx += f64::from(a + b) * 0.5 * f64::from(len);
        bl.sy += (f64::from(y) + 0.5) * f64::from(len);
    }
    Some(
        blobs
            .iter()
            .filter(|b| {
                let (bw, bh) = (b.x1.saturating_sub(b.x0), b.y1.saturating_sub(b.y0));
                b.n >= 2
                    && bw <= MAX_DOT
                    && bh <= MAX_DOT
                    && bw.max(bh) <= 2 * bw.min(bh) + 1
                    && f64::from(b.n) >= 0.45 * f64::from(bw * bh)
            })
            .map(|b| Dot {
                x: (b.sx / f64::from(b.n)) as f32,
                y: (b.sy / f64::from(b.n)) as f32,
                r: (b.n as f32).sqrt(),
            })
            .collect(),
    )
}

/// Links per dot kept (its nearest).
const MAX_LINKS: usize = 12;

/// Each dot's nearest neighbours (`MAX_LINKS` at most, both ways) among the dots near
/// enough to be on one lattice with it — up to three places across an empty band — and
/// alike in size. The dots are bucketed in square cells as wide as the longest reach, so a
/// dot looks at the nine cells around it only, and keeps no more than its `MAX_LINKS`
/// nearest candidates while it looks: time and memory grow with the dots, not their square.
fn links(dots: &[Dot]) -> Vec<Vec<u32>> {
    let reach = |a: &Dot, b: &Dot| 3.0 * (a.r + b.r);
    let max_r = dots.iter().map(|d| d.r).fold(1.0f32, f32::max);
    let cell = (6.0 * max_r).ceil().max(1.0);
    let (mut cols, mut rows) = (1usize, 1usize);
    for d in dots {
        cols = cols.max((d.x / cell) as usize + 1);
        rows = rows.max((d.y / cell) as usize + 1);
    }
    let at = |d: &Dot| (d.y / cell) as usize * cols + (d.x / cell) as usize;
    // Counting sort of the dots by cell: `start[c]..start[c + 1]` indexes `by_cell`.
    let mut start = vec![0u32; cols * rows + 1];
    for d in dots {
        start[at(d) + 1] += 1;
    }
    for c in 1..start.len() {
        start[c] += start[c - 1];
    }
    let mut fill = start.clone();
    let mut by_cell = vec![0u32; dots.len()];
    for (i, d) in dots.iter().enumerate() {
        let c = at(d);
        by_cell[fill[c] as usize] = i as u32;
        fill[c] += 1;
    }
    // Each dot's nearest candidates: (squared distance, dot), at most MAX_LINKS.
    let mut near: Vec<Vec<(f32, u32)>> = vec![Vec::new(); dots.len()];
    let offer = |list: &mut Vec<(f32, u32)>, d2: f32, b: u32| {
        if list.len() < MAX_LINKS {
            list.push((d2, b));
        } else if let Some((k, _)) = list.iter().enumerate().max_by(|p, q| p.1 .0.total_cmp(&q.1 .0)) {
            if d2 < list[k].0 {
                list[k] = (d2, b);
            }
        }
    };
    for (a, da) in dots.iter().enumerate() {
        let (cx, cy) = ((da.x / cell) as usize, (da.y / cell) as usize);
        for y in cy.saturating_sub(1)..=(cy + 1).min(rows - 1) {
            for x in cx.saturating_sub(1)..=(cx + 1).min(cols - 1) {
                let c = y * cols + x;
                for &b in &by_cell[start[c] as usize..start[c + 1] as usize] {
                    if b as usize <= a {
                        continue;
                    }
                    let db = &dots[b as usize];
                    let (dx, dy) = (db.x - da.x, db.y - da.y);
                    let d2 = dx * dx + dy * dy;
                    if (0.6..=1.67).contains(&(da.r / db.r)) && d2 <= reach(da, db).powi(2) {
                        offer(&mut near[a], d2, b);
                        offer(&mut near[b as usize], d2, a as u32);
                    }
                }
            }
        }
    }
    let mut links = vec![Vec::new(); dots.len()];
    for (a, n) in near.iter().enumerate() {
        for &(_, b) in n {
            links[a].push(b);
            links[b as usize].push(a as u32);
        }
    }
    for l in &mut links {
        l.sort_unstable();
        l.dedup();
    }
    links
}

/// The linked groups, each a list of dot indexes.
fn groups(n: usize, links: &[Vec<u32>]) -> Vec<Vec<u32>> {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    for (a, l) in links.iter().enumerate() {
        for &b in l {
            union(&mut parent, a as u32, b);
        }
    }
    let mut by_root: std::collections::HashMap<u32, Vec<u32>> = std::collections::HashMap::new();
    for i in 0..n as u32 {
        let r = find(&mut parent, i);
        by_root.entry(r).or_default().push(i);
    }
    let mut out: Vec<Vec<u32>> = by_root.into_values().collect();
    out.sort_by_key(|g| g[0]);
    out
}

/// What sampling needs of the image: its size and threshold.
type Image = (usize, usize, u8);

/// One group of dots to its lattice, or `None` when the dots do not sit on one.
fn lattice(dots: &[Dot], group: &[u32], links: &[Vec<u32>], luma: &[u8], img: Image) -> Option<Lattice> {
    let (step, angle) = basis(dots, group, links)?;
    let coords = walk(dots, group, links, step, angle)?;
    let coords = grow(dots, group, links, coords);
    let fit_all = fit(dots, &coords)?;
    // Outliers (a blob beside its place) dropped, then fitted again.
    let near = |f: &Map, &(d, i, j): &(u32, i32, i32)| {
        let (x, y) = f.at(i as f32, j as f32);
        let dot = dots[d as usize];
        (dot.x - x).hypot(dot.y - y) <= 0.35 * step
    };
    let used: Vec<(u32, i32, i32)> = coords.iter().copied().filter(|c| near(&fit_all, c)).collect();
    if used.len() < MIN_DOTS || used.len() * 10 < coords.len() * 9 {
        return None;
    }
    let fit = self::fit(dots, &used)?;
    // All dots on one parity of i + j.
    let parity = (used[0].1 + used[0].2).rem_euclid(2);
    if used.iter().any(|&(_, i, j)| (i + j).rem_euclid(2) != parity) {
        return None;
    }
    let (mut i0, mut i1, mut j0, mut j1) = (i32::MAX, i32::MIN, i32::MAX, i32::MIN);
    for &(_, i, j) in &used {
        (i0, i1, j0, j1) = (i0.min(i), i1.max(i), j0.min(j), j1.max(j));
    }
    let dark_at = |i: i32, j: i32| (i + j).rem_euclid(2) == parity && sample(luma, img, fit.at(i as f32, j as f32));
    // A side whose outer line the blobs missed (dots merged with a neighbour) is grown
    // while the line beyond it has dots, twice at most.
    for _ in 0..2 {
        if (j0..=j1).any(|j| dark_at(i0 - 1, j)) {
            i0 -= 1;
        }
        if (j0..=j1).any(|j| dark_at(i1 + 1, j)) {
            i1 += 1;
        }
        if (i0..=i1).any(|i| dark_at(i, j0 - 1)) {
            j0 -= 1;
        }
        if (i0..=i1).any(|i| dark_at(i, j1 + 1)) {
            j1 += 1;
        }
    }
    let (w, h) = ((i1 - i0 + 1) as usize, (j1 - j0 + 1) as usize);
    if !(5..=MAX_SIDE).contains(&w) || !(5..=MAX_SIDE).contains(&h) {
        return None;
    }
    let dark = (j0..=j1).flat_map(|j| (i0..=i1).map(move |i| (i, j))).map(|(i, j)| dark_at(i, j)).collect();
    Some(Lattice { w, h, dark, map: fit, first: (i0 as f32, j0 as f32) })
}

/// Whether the image is dark at a pixel position (bilinear), outside the image light.
fn sample(luma: &[u8], (w, h, t): Image, (x, y): (f32, f32)) -> bool {
    // Pixel centres sit at .5.
    let (fx, fy) = (x - 0.5, y - 0.5);
    if !(fx >= 0.0 && fy >= 0.0 && fx < (w - 1) as f32 && fy < (h - 1) as f32) {
        return false;
    }
    let (x0, y0) = (fx as usize, fy as usize);
    let (ax, ay) = (fx - x0 as f32, fy - y0 as f32);
    let p = |x: usize, y: usize| f32::from(luma[y * w + x]);
    let top = p(x0, y0) * (1.0 - ax) + p(x0 + 1, y0) * ax;
    let bottom = p(x0, y0 + 1) * (1.0 - ax) + p(x0 + 1, y0 + 1) * ax;
    top * (1.0 - ay) + bottom * ay <= f32::from(t)
}

/// The lattice's step in pixels and the angle of its i axis (radians, -45° to 45°): the
/// nearest neighbours of a checkerboard's dots are diagonal, a step times √2 away.
fn basis(dots: &[Dot], group: &[u32], links: &[Vec<u32>]) -> Option<(f32, f32)> {
    let dist = |a: u32, b: u32| {
        let (da, db) = (dots[a as usize], dots[b as usize]);
        (db.x - da.x).hypot(db.y - da.y)
    };
    let mut nearest: Vec<f32> =
        group.iter().filter_map(|&a| links[a as usize].iter().map(|&b| dist(a, b)).min_by(f32::total_cmp)).collect();
    if nearest.len() < MIN_DOTS {
        return None;
    }
    let mid = nearest.len() / 2;
    let d = *nearest.select_nth_unstable_by(mid, f32::total_cmp).1;
    if d < 1.0 {
        return None;
    }
    // Diagonal directions modulo 90°, averaged on the circle as four times their angle.
    let (mut c, mut s) = (0.0f32, 0.0f32);
    for &a in group {
        for &b in &links[a as usize] {
            let l = dist(a, b);
            if (0.8 * d..=1.25 * d).contains(&l) {
                let (da, db) = (dots[a as usize], dots[b as usize]);
                let ang = (db.y - da.y).atan2(db.x - da.x);
                c += (4.0 * ang).cos();
                s += (4.0 * ang).sin();
            }
        }
    }
    if c == 0.0 && s == 0.0 {
        return None;
    }
    // The diagonals at 45° (mod 90°) from the axes; atan2/4 of the mean gives that 45°.
    let diagonal = s.atan2(c) / 4.0;
    let mut axis = diagonal - std::f32::consts::FRAC_PI_4;
    let quarter = std::f32::consts::FRAC_PI_2;
    while axis < -quarter / 2.0 {
        axis += quarter;
    }
    while axis >= quarter / 2.0 {
        axis -= quarter;
    }
    Some((d / std::f32::consts::SQRT_2, axis))
}

/// Whole-number lattice coordinates for the group's dots, walking the links from the dot
/// nearest the group's middle; `None` when more than a few links disagree.
fn walk(dots: &[Dot], group: &[u32], links: &[Vec<u32>], step: f32, angle: f32) -> Option<Vec<(u32, i32, i32)>> {
    let (cx, cy) = group.iter().fold((0.0, 0.0), |(x, y), &i| (x + dots[i as usize].x, y + dots[i as usize].y));
    let (cx, cy) = (cx / group.len() as f32, cy / group.len() as f32);
    let start = *group.iter().min_by(|&&a, &&b| {
        let d = |i: u32| (dots[i as usize].x - cx).hypot(dots[i as usize].y - cy);
        d(a).total_cmp(&d(b))
    })?;
    let (ux, uy) = (angle.cos() / step, angle.sin() / step);
    let mut at: std::collections::HashMap<u32, (i32, i32)> = std::collections::HashMap::with_capacity(group.len());
    at.insert(start, (0, 0));
    let mut queue = std::collections::VecDeque::from([start]);
    let (mut agree, mut disagree) = (0usize, 0usize);
    while let Some(a) = queue.pop_front() {
        let (ia, ja) = at[&a];
        let da = dots[a as usize];
        for &b in &links[a as usize] {
            let db = dots[b as usize];
            let (dx, dy) = (db.x - da.x, db.y - da.y);
            // Rotate the displacement into the lattice's axes, in steps.
            let (fi, fj) = (dx * ux + dy * uy, -dx * uy + dy * ux);
            let (ri, rj) = (fi.round(), fj.round());
            if (fi - ri).abs() > 0.3 || (fj - rj).abs() > 0.3 || (ri + rj) as i32 % 2 != 0 || (ri == 0.0 && rj == 0.0) {
                continue;
            }
            let here = (ia + ri as i32, ja + rj as i32);
            match at.get(&b) {
                Some(&c) if c == here => agree += 1,
                Some(_) => disagree += 1,
                None => {
                    at.insert(b, here);
                    queue.push_back(b);
                }
            }
        }
    }
    if at.len() < MIN_DOTS || disagree * 20 > agree + disagree {
        return None;
    }
    Some(at.into_iter().map(|(d, (i, j))| (d, i, j)).collect())
}

/// Rounds of `grow` at most.
const GROW_ROUNDS: usize = 8;

/// The dots the walk left out placed by the map fitted to those it placed: on a curved
/// surface the lattice turns away from the walk's one angle, and far enough out a link no
/// longer lands within its tolerance. A dot linked to a placed one is put where the map's
/// inverse takes it, when that is within 0.3 of a place of the dots' parity that no dot
/// holds yet; the map is fitted again after each round, until a round adds nothing.
fn grow(dots: &[Dot], group: &[u32], links: &[Vec<u32>], mut coords: Vec<(u32, i32, i32)>) -> Vec<(u32, i32, i32)> {
    let Some(&(_, pi, pj)) = coords.first() else { return coords };
    let parity = (pi + pj).rem_euclid(2);
    let mut at: std::collections::HashMap<u32, (i32, i32)> = coords.iter().map(|&(d, i, j)| (d, (i, j))).collect();
    let mut taken: std::collections::HashSet<(i32, i32)> = at.values().copied().collect();
    for _ in 0..GROW_ROUNDS {
        if at.len() == group.len() {
            break;
        }
        let Some(map) = fit(dots, &coords) else { break };
        let before = coords.len();
        for &b in group {
            if at.contains_key(&b) {
                continue;
            }
            let Some(&(ia, ja)) = links[b as usize].iter().find_map(|a| at.get(a)) else { continue };
            let d = dots[b as usize];
            let Some(f) = map.inverse((d.x, d.y), (ia as f32, ja as f32)) else { continue };
            let Some(place) = nearest_place(f, parity) else { continue };
            if taken.insert(place) {
                at.insert(b, place);
                coords.push((b, place.0, place.1));
            }
        }
        if coords.len() == before {
            break;
        }
    }
    coords
}

/// The lattice point of the dots' `parity` (i + j even or odd) nearest to `(fi, fj)` — the
/// points of one parity lie on a grid turned 45°, each the centre of a diamond
/// |di| + |dj| ≤ 1 — when `(fi, fj)` is well inside its diamond (|di| + |dj| ≤ 0.6: a
/// dot's centre is off by a fraction of a place, a pixel's worth of a curve's steps).
fn nearest_place((fi, fj): (f32, f32), parity: i32) -> Option<(i32, i32)> {
    let with_parity = |a: f32, b: f32| {
        let ra = a.round();
        // b rounded to the integer that gives the parity with ra.
        let want = (parity - ra as i32).rem_euclid(2);
        let lo = b.floor();
        let rb = if (lo as i32).rem_euclid(2) == want { lo } else { lo + 1.0 };
        (ra, rb, (a - ra).abs() + (b - rb).abs())
    };
    let (ri, rj, di) = with_parity(fi, fj);
    let (rj2, ri2, dj) = with_parity(fj, fi);
    let (i, j, off) = if di <= dj { (ri, rj, di) } else { (ri2, rj2, dj) };
    (off <= 0.6 && i.abs() < 1e6 && j.abs() < 1e6).then_some((i as i32, j as i32))
}

/// Lattice coordinates to pixels: x = Σ x_k b_k(i, j) and y alike over the basis
/// b = [1, i, j, i², i·j, j²] — affine, and the second-order terms a curved or slanted
/// surface adds (a label round a bottle bows the rows of dots by a place or two, which no
/// affine map follows across the symbol).
struct Map {
    x: [f32; 6],
    y: [f32; 6],
}

impl Map {
    fn at(&self, i: f32, j: f32) -> (f32, f32) {
        let b = [1.0, i, j, i * i, i * j, j * j];
        (b.iter().zip(&self.x).map(|(b, c)| b * c).sum(), b.iter().zip(&self.y).map(|(b, c)| b * c).sum())
    }

    /// The lattice coordinates the map takes to pixel `p`, found from `near` (Newton's
    /// method, a few steps: the map is nearly affine over a place); `None` where it folds.
    fn inverse(&self, p: (f32, f32), near: (f32, f32)) -> Option<(f32, f32)> {
        let (mut i, mut j) = near;
        let d = |c: &[f32; 6], i: f32, j: f32| (c[1] + 2.0 * c[3] * i + c[4] * j, c[2] + c[4] * i + 2.0 * c[5] * j);
        for _ in 0..4 {
            let (x, y) = self.at(i, j);
            let ((xi, xj), (yi, yj)) = (d(&self.x, i, j), d(&self.y, i, j));
            let det = xi * yj - xj * yi;
            if det.abs() < 1e-6 {
                return None;
            }
            let (ex, ey) = (p.0 - x, p.1 - y);
            i += (yj * ex - xj * ey) / det;
            j += (xi * ey - yi * ex) / det;
        }
        (i.is_finite() && j.is_finite()).then_some((i, j))
    }
}

/// The least-squares map from lattice coordinates to the dots' pixels: with the
/// second-order terms, or affine where the dots do not spread enough to fix them.
fn fit(dots: &[Dot], coords: &[(u32, i32, i32)]) -> Option<Map> {
    let quadratic = |i: f64, j: f64| [1.0, i, j, i * i, i * j, j * j];
    let affine = |i: f64, j: f64| [1.0, i, j];
    if let Some((x, y)) = least_squares(dots, coords, quadratic) {
        return Some(Map { x, y });
    }
    let (x, y) = least_squares(dots, coords, affine)?;
    Some(Map { x: [x[0], x[1], x[2], 0.0, 0.0, 0.0], y: [y[0], y[1], y[2], 0.0, 0.0, 0.0] })
}

/// The coefficients over `basis` that fit the dots' x and y at their coordinates best
/// (normal equations in f64); `None` when they are not determined.
fn least_squares<const N: usize>(
    dots: &[Dot],
    coords: &[(u32, i32, i32)],
    basis: impl Fn(f64, f64) -> [f64; N],
) -> Option<([f32; N], [f32; N])> {
    let mut m = [[0f64; N]; N];
    let (mut bx, mut by) = ([0f64; N], [0f64; N]);
    for &(d, i, j) in coords {
        let row = basis(f64::from(i), f64::from(j));
        let dot = dots[d as usize];
        for r in 0..N {
            for c in 0..N {
                m[r][c] += row[r] * row[c];
            }
            bx[r] += row[r] * f64::from(dot.x);
            by[r] += row[r] * f64::from(dot.y);
        }
    }
    Some((solve(m, bx)?.map(|v| v as f32), solve(m, by)?.map(|v| v as f32)))
}

/// Gaussian elimination with partial pivoting; `None` when the system is (nearly) singular.
fn solve<const N: usize>(mut m: [[f64; N]; N], mut b: [f64; N]) -> Option<[f64; N]> {
    let scale = m.iter().flatten().fold(0.0f64, |a, v| a.max(v.abs()));
    if scale == 0.0 {
        return None;
    }
    for col in 0..N {
        let pivot = (col..N).max_by(|&p, &q| m[p][col].abs().total_cmp(&m[q][col].abs()))?;
        if m[pivot][col].abs() < 1e-12 * scale {
            return None;
        }
        m.swap(col, pivot);
        b.swap(col, pivot);
        let (top, below) = m.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for (r, row) in below.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[col + 1 + r] -= f * b[col];
        }
    }
    let mut out = [0.0; N];
    for r in (0..N).rev() {
        let s: f64 = (r + 1..N).map(|c| m[r][c] * out[c]).sum();
        out[r] = (b[r] - s) / m[r][r];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lattices of an image nothing has been read in.
    fn find(luma: &[u8], w: u32, h: u32) -> Vec<Lattice> {
        levels(luma, w, h).map_or_else(Vec::new, |levels| lattices(&Search { luma, painted: luma, w, h, levels }))
    }

    /// A checkerboard of `s`-pixel square dots at (i, j) with i + j even where `on` says,
    /// on white, with a margin of 3 places.
    fn draw(w: usize, h: usize, s: usize, on: impl Fn(usize, usize) -> bool) -> (Vec<u8>, u32, u32) {
        draw_bowed(w, h, s, 0.0, on)
    }

    /// `draw`, each column moved down by `bow` places times sin(π x / width): a label
    /// curved round a bottle. The dots are a pixel smaller than their places (columns moved
    /// by different whole pixels would join square dots that touch).
    fn draw_bowed(w: usize, h: usize, s: usize, bow: f32, on: impl Fn(usize, usize) -> bool) -> (Vec<u8>, u32, u32) {
        let (pw, ph) = ((w + 6) * s, (h + 6 + bow.ceil() as usize) * s);
        let mut img = vec![255u8; pw * ph];
        for j in 0..h {
            for i in 0..w {
                if (i + j) % 2 == 0 && on(i, j) {
                    let down = (bow * s as f32 * (std::f32::consts::PI * (i + 3) as f32 / (w + 6) as f32).sin()).round()
                        as usize;
                    let dot = if bow == 0.0 { s } else { s - 1 };
                    for y in 0..dot {
                        for x in 0..dot {
                            img[((j + 3) * s + y + down) * pw + (i + 3) * s + x] = 0;
                        }
                    }
                }
            }
        }
        (img, pw as u32, ph as u32)
    }

    #[test]
    fn elimination_solves_and_refuses_a_singular_system() {
        // 2x + y = 5, x + 3y + z = 12, y + 4z = 11, the first pivot not on the diagonal.
        let m = [[0.0, 1.0, 4.0], [2.0, 1.0, 0.0], [1.0, 3.0, 1.0]];
        let x = solve(m, [11.0, 5.0, 12.0]).expect("solvable");
        for (got, want) in x.iter().zip([1.0, 3.0, 2.0]) {
            assert!((got - want).abs() < 1e-9, "{x:?}");
        }
        assert_eq!(solve([[1.0, 2.0], [2.0, 4.0]], [1.0, 2.0]), None);
        assert_eq!(solve([[0.0; 2]; 2], [0.0; 2]), None);
    }

    #[test]
    fn the_nearest_place_of_the_dots_parity() {
        assert_eq!(nearest_place((7.0, -11.35), 0), Some((7, -11)));
        assert_eq!(nearest_place((7.0, -11.65), 1), Some((7, -12)));
        assert_eq!(nearest_place((7.0, -11.35), 1), None, "0.65 from (7, -12), 1.35 from (6, -11)");
        assert_eq!(nearest_place((2.1, 3.2), 1), Some((2, 3)));
        assert_eq!(nearest_place((2.5, 3.0), 0), Some((3, 3)), "between (2, 2)... and (3, 3): the nearer");
        assert_eq!(nearest_place((2.5, 2.5), 1), None, "half-way between (2, 3) and (3, 2)");
        assert_eq!(nearest_place((-0.2, 0.3), 0), Some((0, 0)));
        assert_eq!(nearest_place((f32::NAN, 0.0), 0), None);
    }

    #[test]
    fn a_bowed_lattice_is_sampled_along_its_bow() {
        // Bowed by two places in the middle: an affine map is a place off there.
        let on = |i: usize, j: usize| i == 0 || j == 0 || i == 24 || j == 15 || (i * 7 + j * 3) % 5 < 3;
        for s in [4, 6] {
            let (img, w, h) = draw_bowed(25, 16, s, 2.0, on);
            one_whole(&find(&img, w, h), (25, 16), on, s);
        }
    }

    /// The one lattice found, `size` places, dark where `on` drew a dot.
    fn one_whole(found: &[Lattice], size: (usize, usize), on: impl Fn(usize, usize) -> bool, s: usize) -> &Lattice {
        assert_eq!(found.len(), 1, "scale {s}");
        let l = &found[0];
        assert_eq!((l.w, l.h), size, "scale {s}");
        for j in 0..size.1 {
            for i in 0..size.0 {
                assert_eq!(l.dark[j * size.0 + i], (i + j) % 2 == 0 && on(i, j), "scale {s} at ({i}, {j})");
            }
        }
        l
    }

    #[test]
    fn a_drawn_lattice_is_found_whole() {
        for s in [2, 3, 6] {
            let on = |i: usize, j: usize| i == 0 || j == 0 || i == 20 || j == 13 || (i * 7 + j * 3) % 5 < 3;
            let (img, w, h) = draw(21, 14, s, on);
            let found = find(&img, w, h);
            let l = one_whole(&found, (21, 14), on, s);
            let (x, y) = l.pixel(0.0, 0.0);
            assert!((x - 3.5 * s as f32).abs() < 0.2 && (y - 3.5 * s as f32).abs() < 0.2, "{x} {y}");
        }
    }

    #[test]
    fn no_lattice_in_blank_noise_or_stripes() {
        let blank = vec![200u8; 64 * 64];
        assert!(find(&blank, 64, 64).is_empty());
        let mut next = crate::symbology::testkit::rng(3);
        let noise: Vec<u8> = (0..128 * 128).map(|_| next(256) as u8).collect();
        assert!(find(&noise, 128, 128).is_empty());
        let stripes: Vec<u8> = (0..128 * 128).map(|i| if (i % 128) / 4 % 2 == 0 { 0 } else { 255 }).collect();
        assert!(find(&stripes, 128, 128).is_empty());
        assert!(find(&[0u8; 10], 100, 100).is_empty(), "a short buffer");
    }

    #[test]
    fn a_page_of_dots_is_bounded_work() {
        // 2 x 2 dots 4 pixels apart over 800 x 800: 40,000 dots, each with some 28
        // neighbours in reach: linked through the cells, a dozen links each at most.
        let (w, h) = (800usize, 800usize);
        let mut img = vec![255u8; w * h];
        for y in (0..h).step_by(4) {
            for x in (0..w).step_by(4) {
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    img[(y + dy) * w + x + dx] = 0;
                }
            }
        }
        let t = levels(&img, w as u32, h as u32).unwrap().threshold;
        let found = dots(&img, w, h, t).unwrap();
        assert_eq!(found.len(), 200 * 200);
        let l = links(&found);
        assert!(l.iter().all(|n| n.len() <= 2 * MAX_LINKS));
        assert!(l.iter().map(Vec::len).sum::<usize>() >= found.len() * MAX_LINKS);
        // Not a checkerboard: no lattice.
        assert!(find(&img, w as u32, h as u32).is_empty());
    }
}
