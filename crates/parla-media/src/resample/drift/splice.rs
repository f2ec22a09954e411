//! Joining playback across samples dropped to cut its delay: a cut straight from one sample to
//! one some ms later clicks, so the first few ms after it fade from what would have followed
//! the last sample played into what follows the cut. Samples repeated to add delay are joined
//! the same way: the end of a block fades into the same block some ms back, which then plays
//! to its end again.

/// Drops samples from what is queued next, crossfading over the cut, which may span several
/// resampled blocks; or repeats some of the next block, crossfaded the same way. Holds its
/// buffers from the start, so the media thread allocates nothing per frame.
pub(super) struct Splice {
    /// Samples still to drop.
    skip: usize,
    /// Samples to repeat in the next block.
    repeat: usize,
    /// What would have followed the last sample pushed: the start of the cut under way.
    from: Vec<f32>,
    /// The crossfaded samples of the block where the cut ends.
    blended: Vec<f32>,
}

impl Splice {
    /// Fades over `fade` samples.
    pub fn new(fade: usize) -> Self {
        Self {
            skip: 0,
            repeat: 0,
            from: Vec::with_capacity(fade),
            blended: Vec::with_capacity(fade),
        }
    }

    /// Drops the next `n` samples (instead of any still to drop, or to repeat).
    pub fn drop_next(&mut self, n: usize) {
        self.skip = n;
        self.repeat = 0;
    }

    /// Drops `n` samples more than any still to drop (a repeat still to come is given up).
    pub fn drop_more(&mut self, n: usize) {
        self.skip += n;
        self.repeat = 0;
    }

    /// Plays `n` samples of the next block twice, adding `n` samples of delay (instead of any
    /// still to drop); no more than the block less the fade.
    pub fn repeat_next(&mut self, n: usize) {
        if self.from.is_empty() {
            self.skip = 0;
            self.repeat = n;
        }
    }

    /// `out` is the next resampled block. Returns what to queue of it, in order.
    pub fn cut<'a>(&'a mut self, out: &'a [f32]) -> [&'a [f32]; 3] {
        if self.repeat > 0 {
            return self.lengthen(out);
        }
        let (head, rest) = self.shorten(out);
        [head, rest, &[]]
    }

    /// The block to its last fade, faded into the block `repeat` samples earlier, and the
    /// block's last `repeat` samples.
    fn lengthen<'a>(&'a mut self, out: &'a [f32]) -> [&'a [f32]; 3] {
        let fade = self.from.capacity().min(out.len() / 2);
        let n = std::mem::take(&mut self.repeat).min(out.len() - fade);
        if n == 0 || fade == 0 {
            return [out, &[], &[]];
        }
        let end = out.len() - fade;
        crossfade(&mut self.blended, &out[end..], &out[end - n..]);
        [&out[..end], &self.blended, &out[out.len() - n..]]
    }

    /// Drops what is still to be dropped: the crossfaded head, then the rest of the block.
    fn shorten<'a>(&'a mut self, out: &'a [f32]) -> (&'a [f32], &'a [f32]) {
        let dropped = self.skip.min(out.len());
        self.skip -= dropped;
        let cutting = !self.from.is_empty();
        if dropped == 0 && !cutting {
            return (&[], out);
        }
        if !cutting {
            let n = self.from.capacity().min(out.len());
            self.from.extend_from_slice(&out[..n]);
        }
        if self.skip > 0 || dropped == out.len() {
            // Nothing of this block is left to fade into: the next block is.
            return (&[], &[]);
        }
        let after = &out[dropped..];
        let n = crossfade(&mut self.blended, &self.from, after);
        self.from.clear();
        (&self.blended, &after[n..])
    }
}

/// Fades from `old` into `new` over as many samples as the shorter of them holds, into
/// `blended` (cleared first; never grown past its capacity by the callers). Returns that count.
fn crossfade(blended: &mut Vec<f32>, old: &[f32], new: &[f32]) -> usize {
    let n = old.len().min(new.len());
    blended.clear();
    let step = 1.0 / (n as f32 + 1.0);
    for (i, (&old, &new)) in old.iter().zip(new).enumerate() {
        let w = (i as f32 + 1.0) * step;
        blended.push(old * (1.0 - w) + new * w);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERIOD: f32 = 109.0;

    fn tone(from: usize, len: usize) -> Vec<f32> {
        (from..from + len)
            .map(|i| 0.5 * (std::f32::consts::TAU * i as f32 / PERIOD).sin())
            .collect()
    }

    fn largest_step(samples: &[f32]) -> f32 {
        samples
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max)
    }

    /// The natural largest step of the tone, and a bound a click would break.
    fn smooth_bound() -> f32 {
        largest_step(&tone(0, 500)) + 0.02
    }

    fn splice_blocks(blocks: &[Vec<f32>], skip: usize) -> Vec<f32> {
        let mut splice = Splice::new(144);
        splice.drop_next(skip);
        let mut played = Vec::new();
        for block in blocks {
            for part in splice.cut(block) {
                played.extend_from_slice(part);
            }
        }
        played
    }

    /// Half a period dropped from the middle of a tone: cut straight, the join jumps by most
    /// of the amplitude; spliced, no step exceeds the tone's own, and exactly the dropped
    /// samples are gone.
    #[test]
    fn a_cut_within_a_block_is_crossfaded() {
        let blocks = vec![tone(0, 480), tone(480, 480)];
        let straight: Vec<f32> = [&blocks[0][..], &blocks[1][55..]].concat();
        assert!(
            largest_step(&straight) > 0.5,
            "the test's cut would not click"
        );
        let played = splice_blocks(&blocks, 0);
        assert_eq!(
            played,
            [&blocks[0][..], &blocks[1][..]].concat(),
            "no cut: untouched"
        );

        let mut splice = Splice::new(144);
        let mut played = blocks[0].clone();
        splice.drop_next(55);
        for part in splice.cut(&blocks[1]) {
            played.extend_from_slice(part);
        }
        assert_eq!(played.len(), straight.len());
        assert!(
            largest_step(&played) < smooth_bound(),
            "{}",
            largest_step(&played)
        );
        assert_eq!(
            played[480 + 144..],
            straight[480 + 144..],
            "only the fade changed"
        );
    }

    /// Cuts of a whole block, and longer than a block ending near the end of the next:
    /// faded from the start of the cut into what follows it.
    #[test]
    fn a_cut_across_blocks_is_crossfaded() {
        let blocks: Vec<Vec<f32>> = (0..4).map(|b| tone(b * 480, 480)).collect();
        for skip in [480, 480 + 400] {
            let played = splice_blocks(&blocks, skip);
            assert_eq!(played.len(), 4 * 480 - skip);
            let with_lead = [&tone(0, 1)[..], &played[..]].concat();
            let step = largest_step(&with_lead);
            assert!(step < smooth_bound(), "cut of {skip}: step {step}");
        }
    }

    /// 5 ms repeated of a block in the middle of a tone: as many samples more, no step above
    /// the tone's own, and the block still ends on its own last sample (the next one follows
    /// on); the next block is untouched.
    #[test]
    fn a_repeat_is_crossfaded() {
        let blocks: Vec<Vec<f32>> = (0..3).map(|b| tone(b * 480, 480)).collect();
        let mut splice = Splice::new(144);
        let mut played = Vec::new();
        for (i, block) in blocks.iter().enumerate() {
            if i == 1 {
                splice.repeat_next(240);
            }
            for part in splice.cut(block) {
                played.extend_from_slice(part);
            }
        }
        assert_eq!(played.len(), 3 * 480 + 240);
        let step = largest_step(&played);
        assert!(step < smooth_bound(), "step {step}");
        assert_eq!(
            played[..480 + 480 - 144],
            [&blocks[0][..], &blocks[1][..336]].concat()
        );
        assert_eq!(
            played[480 + 336 + 144..],
            [&blocks[1][240..], &blocks[2][..]].concat()
        );
    }

    /// A repeat longer than the block allows is shortened to it; one asked while a cut is
    /// under way is not made.
    #[test]
    fn a_repeat_is_bounded() {
        let block = tone(0, 480);
        let mut splice = Splice::new(144);
        splice.repeat_next(10_000);
        let len: usize = splice.cut(&block).iter().map(|p| p.len()).sum();
        assert_eq!(len, 480 + 480 - 144);
        splice.drop_next(600);
        let _ = splice.cut(&block);
        splice.repeat_next(100);
        let len: usize = splice.cut(&block).iter().map(|p| p.len()).sum();
        assert_eq!(len, 480 - 120, "the cut goes on");
    }

    #[cfg(debug_assertions)]
    #[test]
    fn splicing_does_not_allocate() {
        let blocks: Vec<Vec<f32>> = (0..3).map(|b| tone(b * 480, 480)).collect();
        let mut splice = Splice::new(144);
        let before = assert_no_alloc::violation_count();
        assert_no_alloc::assert_no_alloc(|| {
            splice.drop_next(580);
            let _ = splice.cut(&blocks[0]);
            let _ = splice.cut(&blocks[1]);
            let _ = splice.cut(&blocks[2]);
            splice.repeat_next(200);
            let _ = splice.cut(&blocks[0]);
        });
        assert_eq!(assert_no_alloc::violation_count(), before, "allocated");
    }
}
