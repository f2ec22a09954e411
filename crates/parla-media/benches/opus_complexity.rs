//! What the Opus encoder's complexity buys: for each complexity from 10 down to 4, the encoder's
//! CPU per 20 ms frame (median of the frames' best of three passes) and the wideband PESQ of the
//! decoded speech, on sentences that espeak-ng speaks in the four languages of Parla's users.
//! The default (`codec::opus::DEFAULT_COMPLEXITY`) was chosen from this table.
//! Needs espeak-ng and the test venv's `pesq` (scripts/install-test-deps.sh).
//! `cargo bench -p parla-media --bench opus_complexity`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "benchmark"
)]

#[path = "../tests/common/echo_harness.rs"]
mod echo_harness;
#[path = "../tests/common/opus_quality.rs"]
mod opus_quality;

use opus_quality::{code, score, speak, SENTENCES};
use parla_media::codec::opus::DEFAULT_COMPLEXITY;

const COMPLEXITIES: [u8; 7] = [10, 9, 8, 7, 6, 5, 4];

fn main() {
    let dir = tempfile::tempdir().unwrap();
    println!(
        "Opus 48 kHz mono, 32 kbit/s, no loss expected (no FEC); encoder µs per 20 ms frame / \
         wideband PESQ"
    );
    print!("{:>10}", "complexity");
    for (voice, _) in SENTENCES {
        print!("{voice:>16}");
    }
    println!("{:>16}", "mean");
    let spoken: Vec<_> = SENTENCES
        .iter()
        .map(|(v, t)| speak(dir.path(), v, t))
        .collect();
    for complexity in COMPLEXITIES {
        let mark = if complexity == DEFAULT_COMPLEXITY {
            "*"
        } else {
            " "
        };
        print!("{mark}{complexity:>9}");
        let (mut cpu, mut mos) = (0.0, 0.0);
        for ((voice, _), (reference, pcm)) in SENTENCES.iter().zip(&spoken) {
            let (decoded, us) = code(pcm, complexity);
            let score = score(
                dir.path(),
                reference,
                &decoded,
                &format!("{voice}-c{complexity}"),
            );
            print!("{:>9.0} / {score:.2}", us);
            cpu += us / SENTENCES.len() as f64;
            mos += score / SENTENCES.len() as f64;
        }
        println!("{cpu:>9.0} / {mos:.2}");
    }
    println!("(* the default)");
}
