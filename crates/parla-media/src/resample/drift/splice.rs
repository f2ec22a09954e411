//! Joining playback across samples dropped to cut its delay: a cut straight from one sample to
//! one some ms later clicks, so the first few ms after it fade from what would have followed
//! the last sample played into what follows the cut.

/// Drops samples from what is queued next, crossfading over the cut, which may span several
/// resampled blocks. Holds its buffers from the start, so the media thread allocates nothing
/// per frame.
pub(super) struct Splice {
    /// Samples still to drop.
    skip: usize,
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
            from: Vec::with_capacity(fade),
            blended: Vec::with_capacity(fade),
        }
    }

    /// Drops the next `n` samples (instead of any still to drop).
    pub fn drop_next(&mut self, n: usize) {
        self.skip = n;
    }

    /// `out` is the next resampled block. Returns what to queue of it, in order: the
    /// crossfaded head, then the rest of the block.
    pub fn cut<'a>(&'a mut self, out: &'a [f32]) -> (&'a [f32], &'a [f32]) {
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
        let n = self.from.len().min(after.len());
        self.blended.clear();
        let step = 1.0 / (n as f32 + 1.0);
        for (i, (&old, &new)) in self.from.iter().zip(after).take(n).enumerate() {
            let w = (i as f32 + 1.0) * step;
            self.blended.push(old * (1.0 - w) + new * w);
        }
        self.from.clear();
        (&self.blended, &after[n..])
    }
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
            let (head, rest) = splice.cut(block);
            played.extend_from_slice(head);
            played.extend_from_slice(rest);
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
        let (head, rest) = splice.cut(&blocks[1]);
        played.extend_from_slice(head);
        played.extend_from_slice(rest);
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
        });
        assert_eq!(assert_no_alloc::violation_count(), before, "allocated");
    }
}
